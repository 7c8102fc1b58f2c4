import Core
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
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
/// source viewer shows as it is.
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

    /// What `Answer.model` and the status say the generator is (part of cache keys).
    public static let model = "rag.RAGService"

    public let target: GRPCTarget
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let rag: Rag_RAGService.Client<HTTP2ClientTransport.Posix>
    private let callTimeout: Duration
    private let connectTimeout: Duration
    private let resolve: Resolver?

    /// - Parameters:
    ///   - url: `grpc://HOST:PORT` (plaintext HTTP/2).
    ///   - callTimeout: the gRPC deadline of each `Query` call.
    ///   - connectTimeout: the longest a status check waits for a TCP connection.
    ///   - resolve: links citations to the local index (nil: every citation carries its text).
    public init(url: String, callTimeout: Duration, connectTimeout: Duration = .seconds(2), resolve: Resolver? = nil) throws {
        let target = try GRPCTarget(url: url)
        self.target = target
        self.callTimeout = callTimeout
        self.connectTimeout = connectTimeout
        self.resolve = resolve
        let config = HTTP2ClientTransport.Posix.Config.defaults { config in
            // A service that went away is tried again soon after it comes back (the default backs off to 2 minutes).
            config.backoff = .init(initial: .milliseconds(100), max: .seconds(1), multiplier: 1.6, jitter: 0.2)
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: target.host, port: target.port),
            transportSecurity: .plaintext, config: config)
        client = GRPCClient(transport: transport)
        rag = Rag_RAGService.Client(wrapping: client)
    }

    /// Maintains the connections until `shutdown()`.
    public func run() async throws {
        try await client.runConnections()
    }

    public func shutdown() {
        client.beginGracefulShutdown()
    }

    public func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let rag = self.rag
        let target = self.target
        let resolve = self.resolve
        let options = Self.callOptions(timeout: callTimeout)
        let message = Self.message(for: request)
        return .producing { continuation in
            let started = ContinuousClock.now
            let response: Rag_QueryResponse
            do {
                response = try await rag.query(message, options: options)
            } catch {
                throw Self.map(error, target: target)
            }
            var linked: [LinkedPassage?] = []
            for c in response.citations {
                if let resolve, c.hasSourceID, !c.sourceID.isEmpty { linked.append(await resolve(c.sourceID, c.text)) } else { linked.append(nil) }
            }
            let elapsed = ContinuousClock.now - started
            let answer = Self.answer(
                question: request.question, response: response, linked: linked, target: target,
                latencyMS: elapsed / .milliseconds(1))
            continuation.yield(.citations(answer.citations))
            continuation.yield(.delta(answer.answer))
            continuation.yield(.done(answer))
        }
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
    static func callOptions(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    static func message(for request: QueryRequest) -> Rag_QueryRequest {
        var message = Rag_QueryRequest()
        message.question = request.question
        message.filters = request.filters
        return message
    }

    /// The service's answer in Bedside's terms: citations numbered from 1 in the service's
    /// order, one sentence per sentence of its text with the `[n]` markers it holds. Markers
    /// that point at no citation are taken out and listed in `removedCitations`; a sentence
    /// with no marker is marked unsupported. No citations at all is a refusal.
    static func answer(
        question: String, response: Rag_QueryResponse, linked: [LinkedPassage?], target: GRPCTarget,
        latencyMS: Double
    ) -> Answer {
        let citations = response.citations.enumerated().map { i, c in
            citation(n: i + 1, c, linked: i < linked.count ? linked[i] : nil)
        }
        let valid = Set(citations.map(\.n))
        var removed: [Int] = []
        var sentences: [AnswerSentence] = []
        var text: [String] = []
        for raw in splitSentences(response.answer) {
            let (clean, numbers) = markers(in: raw, keeping: valid)
            removed += numbers.dropped
            text.append(clean)
            sentences.append(AnswerSentence(text: clean, citations: numbers.kept, unsupported: numbers.kept.isEmpty))
        }
        let refused = citations.isEmpty
        return Answer(
            question: question, answer: text.joined(separator: " "), sentences: refused ? [] : sentences, refused: refused,
            citations: refused ? [] : citations, removedCitations: Array(Set(removed)).sorted(), indexVersion: 0,
            model: model, retriever: target.description, latencyMS: latencyMS)
    }

    static func citation(n: Int, _ c: Rag_Citation, linked: LinkedPassage?) -> Citation {
        let sourceID = c.hasSourceID ? c.sourceID : ""
        if let linked {
            return Citation(
                n: n, sourceID: sourceID, chunkID: linked.chunkID, title: c.hasTitle && !c.title.isEmpty ? c.title : linked.title,
                section: linked.section, score: c.hasScore ? c.score : 0, text: c.text, start: linked.start, end: linked.end)
        }
        let title = c.hasTitle && !c.title.isEmpty ? c.title : (sourceID.isEmpty ? "Source \(n)" : sourceID)
        return Citation(
            n: n, sourceID: sourceID, chunkID: 0, title: title, section: "", score: c.hasScore ? c.score : 0,
            text: c.text, start: 0, end: 0)
    }

    /// Splits after `.`, `!` or `?` (with any `[n]` markers written right after it) followed by white space or the end.
    static func splitSentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            current.append(chars[i])
            if ".!?".contains(chars[i]) {
                var j = i + 1
                var absorbed = ""
                while true {
                    var k = j
                    while k < chars.count, chars[k] == " " { k += 1 }
                    guard k < chars.count, chars[k] == "[", let close = chars[k...].firstIndex(of: "]"), close > k + 1,
                        chars[(k + 1)..<close].allSatisfy(\.isNumber)
                    else { break }
                    absorbed += String(chars[j...close])
                    j = close + 1
                }
                if j >= chars.count || chars[j].isWhitespace {
                    out.append((current + absorbed).trimmingCharacters(in: .whitespacesAndNewlines))
                    current = ""
                    i = j
                    continue
                }
            }
            i += 1
        }
        out.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
        return out.filter { !$0.isEmpty }
    }

    /// The `[n]` markers of a sentence: those in `valid` kept (in order, once each), the others removed from the text.
    static func markers(in sentence: String, keeping valid: Set<Int>) -> (String, (kept: [Int], dropped: [Int])) {
        var kept: [Int] = []
        var dropped: [Int] = []
        var out = ""
        var rest = Substring(sentence)
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "]"), let n = Int(after[..<close]), !after[..<close].isEmpty {
                if valid.contains(n) {
                    if !kept.contains(n) { kept.append(n) }
                    out += "[\(n)]"
                } else {
                    dropped.append(n)
                    while out.hasSuffix(" ") { out.removeLast() }
                }
                rest = after[after.index(after: close)...]
            } else {
                out.append("[")
                rest = after
            }
        }
        out += rest
        return (out.trimmingCharacters(in: .whitespaces), (kept, dropped))
    }

    /// A gRPC failure in the gateway's terms: unreachable or overloaded → inference unavailable and
    /// past the deadline → timeout (both count for the circuit breaker); a refused question → bad request.
    static func map(_ error: any Error, target: GRPCTarget) -> any Error {
        if error is CancellationError { return error }
        guard let e = error as? RPCError else {
            return BedsideError(.upstream, "The RAG service at \(target) failed.", detail: String(describing: error))
        }
        let detail = "grpc \(e.code): \(e.message)"
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

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

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
