import Core
import Foundation

/// Streamed `POST {base}/chat/completions` on an OpenAI-compatible server.
///
/// Yields content deltas as they arrive and one `.end`. Three timeouts guard it: until the
/// response headers (`connect`), until the first token (`firstToken`: prompt processing on a
/// small CPU can take seconds) and for the whole completion (`total`). Cancelling the task
/// that consumes the stream closes the connection, which makes llama-server stop generating.
/// Failures before any text arrives are thrown as `BedsideError` (`inference_unavailable`,
/// `timeout`, `upstream_error`); once text has arrived, a dropped connection, a server error
/// or the total timeout end the stream with `incomplete: true` instead, so the caller can
/// still show (and verify) the partial answer.
public struct OpenAIChatClient: Sendable {
    public let baseURL: String
    public let model: String
    public var timeouts: ChatTimeouts
    public var maxTokens: Int
    public var temperature: Double
    let transport: any HTTPTransport
    let headers: [String: String]

    public init(
        baseURL: String, model: String, apiKey: String? = nil, transport: any HTTPTransport,
        timeouts: ChatTimeouts = ChatTimeouts(), maxTokens: Int = 256, temperature: Double = 0.2
    ) {
        self.baseURL = baseURL
        self.model = model
        self.transport = transport
        self.timeouts = timeouts
        self.maxTokens = maxTokens
        self.temperature = temperature
        var h: [String: String] = ["content-type": "application/json", "accept": "text/event-stream"]
        if let apiKey, !apiKey.isEmpty { h["authorization"] = "Bearer \(apiKey)" }
        headers = h
    }

    static let service = "The language model server"

    struct Body: Encodable {
        struct StreamOptions: Encodable { var include_usage = true }
        var model: String
        var messages: [ChatMessage]
        var stream = true
        var stream_options = StreamOptions()
        var max_tokens: Int
        var temperature: Double
    }

    /// Which timeout fired.
    enum Deadline: Error { case connect, firstToken, total }

    /// What the watchdog and the reader share.
    struct Progress {
        var headers = false
        var deltas = 0
        var firstTokenAt: ContinuousClock.Instant?
    }

    /// Streams a completion of `messages`.
    public func stream(_ messages: [ChatMessage], maxTokens: Int? = nil, temperature: Double? = nil) -> AsyncThrowingStream<
        ChatStreamEvent, any Error
    > {
        let body = Body(model: model, messages: messages, max_tokens: maxTokens ?? self.maxTokens, temperature: temperature ?? self.temperature)
        return .producing { continuation in await run(body, continuation) }
    }

    func run(_ body: Body, _ continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation) async {
        let started = ContinuousClock.now
        let progress = Locked(Progress())
        let url = baseURL.appendingPath("chat/completions")
        do {
            let bytes = try UpstreamCaller.encode(body)
            let end = try await withThrowingTaskGroup(of: ChatCompletionEnd?.self) { group in
                group.addTask { try await perform(url: url, body: bytes, started: started, progress: progress, continuation) }
                group.addTask {
                    try await watch(started: started, progress: progress)
                    return nil
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
            continuation.yield(.end(end))
            continuation.finish()
        } catch {
            let state = progress.current
            let elapsed = (ContinuousClock.now - started).seconds
            if error is CancellationError || Task.isCancelled {
                continuation.finish(throwing: CancellationError())
            } else if state.deltas > 0 {
                // Text has been shown: end it as incomplete rather than failing the answer.
                let detail = (error as? Deadline) == .total ? "total timeout of \(timeouts.total.seconds) s" : "\(error)"
                continuation.yield(
                    .end(
                        ChatCompletionEnd(
                            model: nil, incomplete: true, detail: detail,
                            firstTokenSeconds: state.firstTokenAt.map { ($0 - started).seconds }, totalSeconds: elapsed)))
                continuation.finish()
            } else {
                continuation.finish(throwing: Self.mapError(error, url: url, timeouts: timeouts))
            }
        }
    }

    static func mapError(_ error: any Error, url: String, timeouts: ChatTimeouts) -> any Error {
        switch error {
        case Deadline.connect:
            return BedsideError(.timeout, "The language model server did not respond within \(timeouts.connect.seconds) s.", detail: url)
        case Deadline.firstToken:
            return BedsideError(.timeout, "The language model did not start answering within \(timeouts.firstToken.seconds) s.", detail: url)
        case Deadline.total:
            return BedsideError(.timeout, "The language model did not finish within \(timeouts.total.seconds) s.", detail: url)
        default:
            return UpstreamFailure.transport(service: service, url: url, error)
        }
    }

    /// Sends the request and reads the stream; returns how it ended.
    func perform(
        url: String, body: [UInt8], started: ContinuousClock.Instant, progress: Locked<Progress>,
        _ continuation: AsyncThrowingStream<ChatStreamEvent, any Error>.Continuation
    ) async throws -> ChatCompletionEnd {
        let request = TransportRequest(method: .POST, url: url, headers: headers, body: body)
        // The watchdog enforces `total`; the transport's own deadline is a backstop.
        let response = try await transport.send(request, timeout: timeouts.total + .seconds(5))
        progress.withLock { $0.headers = true }
        guard (200...299).contains(response.status) else {
            let bytes = (try? await response.collect(limit: 1 << 20)) ?? []
            throw UpstreamFailure.http(service: Self.service, url: url, status: response.status, body: bytes, headers: response.headers)
        }
        var decoder = ChatStreamDecoder()
        var streamError: (any Error)?
        do {
            reading: for try await piece in response.body {
                for delta in decoder.feed(piece) {
                    progress.withLock {
                        $0.deltas += 1
                        if $0.firstTokenAt == nil { $0.firstTokenAt = .now }
                    }
                    continuation.yield(.delta(delta))
                }
                if decoder.isFinished { break reading }
            }
        } catch let e where !(e is CancellationError) {
            streamError = e // the connection dropped mid-stream
        }
        try Task.checkCancellation()
        var end = ChatCompletionEnd(
            finishReason: decoder.finishReason, usage: decoder.usage, model: decoder.model,
            firstTokenSeconds: progress.current.firstTokenAt.map { ($0 - started).seconds }, totalSeconds: (ContinuousClock.now - started).seconds)
        if let e = decoder.serverError {
            if decoder.text.isEmpty {
                throw BedsideError(.upstream, "The language model failed: \(e.prefix(200))", detail: url)
            }
            end.incomplete = true
            end.detail = "server error mid-stream: \(e)"
        } else if !decoder.isComplete {
            let detail = streamError.map { "\($0)" } ?? "the stream ended without [DONE] or a finish_reason"
            if decoder.text.isEmpty {
                if let streamError { throw Self.mapError(streamError, url: url, timeouts: timeouts) }
                throw BedsideError(.upstream, "The language model server closed the stream before answering.", detail: "\(url): \(detail)")
            }
            end.incomplete = true // finishReason is nil: the stream is not complete
            end.detail = detail
        }
        return end
    }

    /// Throws the first deadline that passes unmet; runs until cancelled otherwise.
    func watch(started: ContinuousClock.Instant, progress: Locked<Progress>) async throws {
        let steps: [(Duration, Deadline)] = [(timeouts.connect, .connect), (timeouts.firstToken, .firstToken), (timeouts.total, .total)]
            .sorted { $0.0 < $1.0 }
        for (after, deadline) in steps {
            try await Task.sleep(until: started + after, clock: .continuous)
            let p = progress.current
            switch deadline {
            case .connect: if !p.headers { throw deadline }
            case .firstToken: if p.deltas == 0 { throw deadline }
            case .total: throw deadline
            }
        }
    }

    /// `GET {base}/models`: the model ids the server offers (for `bedside doctor`).
    public func listModels(timeout: Duration = .seconds(10)) async throws -> [String] {
        struct Models: Decodable {
            struct Model: Decodable { var id: String }
            var data: [Model]
        }
        var h = headers
        h["content-type"] = nil // a GET has no body (`call` sets `accept`)
        let caller = UpstreamCaller(transport: transport, service: Self.service, retry: .none, timeout: timeout, headers: h)
        return try await caller.decode(Models.self, .GET, baseURL.appendingPath("models")).data.map(\.id)
    }
}
