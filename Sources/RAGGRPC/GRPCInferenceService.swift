import Core
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import Inference
import NIOCore
import NIOPosix

/// Inference by a RAG service over gRPC (`bedside serve --inference grpc://HOST:PORT`): one
/// `rag.RAGService/Query` call per question (Protos/rag.proto), its answer and citations mapped
/// to Bedside's `Answer`. The gateway wraps this, like any `InferenceService`, in its total
/// timeout, circuit breaker, cache and stale-if-error; the call itself carries a gRPC deadline
/// (`callTimeout`) so the service can stop working on a question nobody waits for any more.
///
/// A citation whose `source_id` names a document in the gateway's local index is linked to its
/// passage there (`resolve`); any other carries its own text (chunk id 0), which the console's
/// source viewer shows as it is. Every sentence of the service's answer is then checked against
/// what it cites, as Bedside's own model's answers are (`ServiceAnswer`), before anything is
/// sent: the events are the checked answer's citations, its checked text as one delta, and the
/// checked answer; the service's own text never reaches a client.
///
/// `run()` keeps the connections; run it on a task for as long as the service is used, and call
/// `shutdown()` to end it.
public final class GRPCInferenceService: InferenceService, Sendable {
    /// A passage of the local index that a citation links to.
    public struct LinkedPassage: Sendable, Hashable {
        public var chunkID: Int64
        public var title: String
        public var section: String
        public var text: String
        public var start: Int
        public var end: Int
        public init(chunkID: Int64, title: String, section: String, text: String, start: Int, end: Int) {
            self.chunkID = chunkID
            self.title = title
            self.section = section
            self.text = text
            self.start = start
            self.end = end
        }
    }

    /// Looks a cited document up in the local index: the passage of document `sourceID` that holds `text`.
    public typealias Resolver = @Sendable (_ sourceID: String, _ text: String) async -> LinkedPassage?

    /// One `Query` call (the gRPC client, or an in-process fake in tests).
    typealias Query = @Sendable (Rag_QueryRequest, CallOptions) async throws -> Rag_QueryResponse

    /// What `Answer.model` and the status say the generator is (part of cache keys).
    public static let model = "rag.RAGService"

    public let target: GRPCTarget
    private let client: GRPCClient<HTTP2ClientTransport.Posix>?
    private let query: Query
    private let callTimeout: Duration
    private let connectTimeout: Duration
    private let resolve: Resolver?
    private let verifier: CitationVerifier
    private let limits: PeerReplyLimits

    /// - Parameters:
    ///   - url: `grpc://HOST:PORT` (plaintext HTTP/2).
    ///   - callTimeout: the gRPC deadline of each `Query` call.
    ///   - connectTimeout: the longest a status check waits for a TCP connection.
    ///   - resolve: links citations to the local index (nil: every citation carries its text).
    ///   - verifier: checks the service's sentences against what they cite.
    ///   - limits: the largest reply read and checked (larger ones are refused as `upstream_error`).
    public convenience init(
        url: String, callTimeout: Duration, connectTimeout: Duration = .seconds(2), resolve: Resolver? = nil,
        verifier: CitationVerifier = CitationVerifier(), limits: PeerReplyLimits = PeerReplyLimits()
    ) throws {
        let target = try GRPCTarget(url: url)
        let config = HTTP2ClientTransport.Posix.Config.defaults { config in
            // A service that went away is tried again soon after it comes back (the default backs off to 2 minutes).
            config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: target.host, port: target.port),
            transportSecurity: .plaintext, config: config)
        let client = GRPCClient(transport: transport)
        let rag = Rag_RAGService.Client(wrapping: client)
        self.init(
            target: target, client: client, callTimeout: callTimeout, connectTimeout: connectTimeout, resolve: resolve, verifier: verifier,
            limits: limits, query: { message, options in try await rag.query(message, options: options) })
    }

    /// A service whose calls go to `query`: the gRPC client's, or one in process (tests; then
    /// `client` is nil and `run()` returns at once).
    init(
        target: GRPCTarget, client: GRPCClient<HTTP2ClientTransport.Posix>? = nil, callTimeout: Duration,
        connectTimeout: Duration = .seconds(2), resolve: Resolver? = nil, verifier: CitationVerifier = CitationVerifier(),
        limits: PeerReplyLimits = PeerReplyLimits(), query: @escaping Query
    ) {
        self.target = target
        self.client = client
        self.query = query
        self.callTimeout = callTimeout
        self.connectTimeout = connectTimeout
        self.resolve = resolve
        self.verifier = verifier
        self.limits = limits
    }

    /// Maintains the connections until `shutdown()`.
    public func run() async throws {
        try await client?.runConnections()
    }

    public func shutdown() {
        client?.beginGracefulShutdown()
    }

    public func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let options = Self.callOptions(timeout: callTimeout, limits: limits)
        let message = Self.message(for: request)
        return .producing { [self] continuation in
            let started = ContinuousClock.now
            let response: Rag_QueryResponse
            do {
                // Decoding a reply at the caps takes tens of milliseconds in a debug build: off the pool too.
                response = try await Self.onCheckingThread { try await query(message, options) }
            } catch {
                throw Self.map(error, target: target)
            }
            // Bounded work whatever the peer sends: a reply over the caps is refused unchecked.
            try limits.check(response, target: target)
            var linked: [LinkedPassage?] = []
            for c in response.citations {
                try Task.checkCancellation()
                if let resolve, c.hasSourceID, !c.sourceID.isEmpty { linked.append(await resolve(c.sourceID, c.text)) } else { linked.append(nil) }
            }
            // The check runs inside the gateway's deadline (this stream is what DeadlineInference
            // times) on a thread of its own, off the cooperative pool; it stops when the deadline
            // cancels it, and its partial result is thrown away.
            let latencyMS = (ContinuousClock.now - started) / .milliseconds(1)
            let links = linked
            let answer = try await Self.onCheckingThread {
                try Task.checkCancellation()
                let answer = ServiceAnswer.answer(
                    question: request.question, response: response, linked: links, target: target, latencyMS: latencyMS,
                    verifier: verifier)
                try Task.checkCancellation()
                return answer
            }
            // Only the checked answer is sent: its citations, its text, then the whole answer.
            continuation.yield(.citations(answer.citations))
            continuation.yield(.delta(answer.answer))
            continuation.yield(.done(answer))
        }
    }

    /// Runs `check` on `CheckingExecutor` (where task executors exist; inline otherwise).
    static func onCheckingThread<T: Sendable>(_ check: @Sendable () async throws -> T) async throws -> T {
        if #available(macOS 15.0, *) {
            return try await withTaskExecutorPreference(CheckingExecutor.shared, operation: check)
        }
        return try await check()
    }

    /// The service is ready when its port accepts a connection (rag.RAGService has no status call).
    public func status() async throws -> InferenceStatus {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(connectTimeout / .milliseconds(1))))
                .connect(host: target.host, port: target.port).get()
            try? await channel.close()
        } catch {
            throw BedsideError(.inferenceUnavailable, "Cannot reach the RAG service at \(target).", detail: String(describing: error))
        }
        return InferenceStatus(
            ready: true, indexVersion: 0, model: Self.model, retriever: target.description,
            components: ["rag_service": "ok"])
    }

    // MARK: Mapping

    /// The call's deadline; an unreachable service fails at once (and counts for the breaker) instead of waiting to connect.
    /// A reply larger than the caps allow is refused by the transport before it is decoded
    /// (the NIO transport reads the client's inbound limit from `maxRequestMessageBytes`).
    static func callOptions(timeout: Duration, limits: PeerReplyLimits = PeerReplyLimits()) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        options.maxRequestMessageBytes = limits.messageBytes
        options.maxResponseMessageBytes = limits.messageBytes
        return options
    }

    static func message(for request: QueryRequest) -> Rag_QueryRequest {
        var message = Rag_QueryRequest()
        message.question = request.question
        message.filters = request.filters
        return message
    }

    /// A gRPC failure in the gateway's terms: unreachable or overloaded → inference unavailable and
    /// past the deadline → timeout (both count for the circuit breaker); a refused question → bad request.
    static func map(_ error: any Error, target: GRPCTarget) -> any Error {
        if error is CancellationError { return error }
        guard let e = error as? RPCError else {
            return BedsideError(.upstream, "The RAG service at \(target) failed.", detail: String(describing: error))
        }
        let detail = "grpc \(e.code): \(e.message)"
        if e.message.contains("maximum payload size") {
            // The transport refused a reply larger than the caps allow (reported as resourceExhausted,
            // or as internalError wrapping it): the peer's fault, not an outage.
            return BedsideError.refusedReply("The RAG service at \(target) sent a reply larger than the gateway accepts (\(e.message)).")
        }
        switch e.code {
        case .invalidArgument, .outOfRange:
            return BedsideError(.badRequest, "The RAG service refused the question: \(e.message)", detail: detail)
        case .unavailable:
            return BedsideError(.inferenceUnavailable, "Cannot reach the RAG service at \(target).", detail: detail)
        case .resourceExhausted:
            return BedsideError(.inferenceUnavailable, "The RAG service at \(target) is overloaded.", detail: detail)
        case .deadlineExceeded:
            return BedsideError(.timeout, "The RAG service at \(target) did not answer in time.", detail: detail)
        case .cancelled where Task.isCancelled:
            return CancellationError()
        default:
            return BedsideError(.upstream, "The RAG service at \(target) failed (\(e.code)).", detail: detail)
        }
    }
}

/// `grpc://HOST:PORT`, HOST a name, an IPv4 address or a bracketed IPv6 address.
public struct GRPCTarget: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
}

/// In an extension, so the memberwise init stays.
extension GRPCTarget {
    public init(url: String) throws {
        let bad = BedsideError(.config, "A gRPC inference address looks like grpc://HOST:PORT (got \(url)).")
        guard url.lowercased().hasPrefix("grpc://") else { throw bad }
        var rest = Substring(url.dropFirst("grpc://".count))
        while rest.hasSuffix("/") { rest.removeLast() }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else { throw bad }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw bad }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains("/"), let port = Int(portText), (1...65535).contains(port) else { throw bad }
        self.host = String(host)
        self.port = port
    }

    public static func isGRPC(_ url: String) -> Bool { url.lowercased().hasPrefix("grpc://") }

    public var description: String { host.contains(":") ? "grpc://[\(host)]:\(port)" : "grpc://\(host):\(port)" }
}
