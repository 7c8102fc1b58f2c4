import AsyncHTTPClient
import NIOSSL
import Core
import Foundation
import NIOCore

/// Inference on another Bedside gateway (`bedside serve --inference URL`): answers come
/// from its `POST /v1/query` as server-sent events, status from its `/readyz`.
///
/// The gateway wraps this, like any `InferenceService`, in its total timeout and circuit
/// breaker; the connect timeout belongs to the HTTP client. Call `shutdown()` when done
/// (`runGateway` does it for a remote service it was given).
public final class RemoteInferenceService: InferenceService, Sendable {
    public let baseURL: String
    private let token: String?
    private let client: HTTPClient
    private let ownsClient: Bool
    private let totalTimeout: TimeAmount
    private let statusTimeout: TimeAmount
    /// Largest error body read from the remote.
    private static let errorBodyLimit = 64 * 1024

    /// - Parameters:
    ///   - baseURL: the remote gateway, e.g. `http://10.0.0.5:8787`.
    ///   - token: a bearer token the remote accepts.
    ///   - httpClient: an existing client to use (its connect timeout applies; not shut down here).
    ///   - caCertificatePath: PEM file of the CA(s) to trust for an `https://` node instead of the system's.
    public init(baseURL: String, token: String?, connectTimeout: TimeInterval = 2, totalTimeout: TimeInterval = 60,
                statusTimeout: TimeInterval = 5, httpClient: HTTPClient? = nil, caCertificatePath: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
        self.totalTimeout = .nanoseconds(Int64(totalTimeout * 1e9))
        self.statusTimeout = .nanoseconds(Int64(min(statusTimeout, totalTimeout) * 1e9))
        if let httpClient {
            self.client = httpClient
            self.ownsClient = false
        } else {
            var config = HTTPClient.Configuration()
            config.timeout = .init(connect: .nanoseconds(Int64(connectTimeout * 1e9)))
            config.redirectConfiguration = .disallow
            if let caCertificatePath {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .file(caCertificatePath)
                config.tlsConfiguration = tls
            }
            self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
            self.ownsClient = true
        }
    }

    public func shutdown() async throws {
        if ownsClient { try await client.shutdown() }
    }

    public func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: AnswerEvent.self, throwing: (any Error).self)
        let task = Task { [self] in
            do {
                try await self.stream(request) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: self.map(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func stream(_ query: QueryRequest, emit: (AnswerEvent) -> Void) async throws {
        var request = HTTPClientRequest(url: baseURL + "/v1/query")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.headers.add(name: "Cache-Control", value: "no-cache")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(bytes: try WireCoding.encoder().encode(query)))
        let response = try await client.execute(request, timeout: totalTimeout)
        guard response.status == .ok else { throw try await failure(response) }
        var parser = ServerSentEventParser()
        for try await chunk in response.body {
            for sse in parser.feed(chunk.readableBytesView) {
                guard let event = try AnswerEvent(sse) else { continue }
                switch event {
                case .error(let e): throw e
                case .done:
                    emit(event)
                    return
                default: emit(event)
                }
            }
        }
        throw BedsideError(.upstream, "The inference node at \(baseURL) closed the stream before the answer was complete.")
    }

    public func status() async throws -> InferenceStatus {
        do {
            let response = try await client.execute(HTTPClientRequest(url: baseURL + "/readyz"), timeout: statusTimeout)
            let body = try await response.body.collect(upTo: Self.errorBodyLimit)
            if let status = try? WireCoding.decoder().decode(InferenceStatus.self, from: Data(body.readableBytesView)) {
                return status
            }
            if let envelope = try? WireCoding.decoder().decode(ErrorEnvelope.self, from: Data(body.readableBytesView)) {
                throw BedsideError(.inferenceUnavailable, "The inference node at \(baseURL) is not ready: \(envelope.error.message)",
                                   retryAfter: envelope.error.retryAfter)
            }
            throw BedsideError(.upstream, "The inference node at \(baseURL) answered /readyz with HTTP \(response.status.code).")
        } catch {
            throw map(error)
        }
    }

    /// A `BedsideError` for a non-200 answer, from its error envelope when it has one.
    private func failure(_ response: HTTPClientResponse) async throws -> BedsideError {
        let body = (try? await response.body.collect(upTo: Self.errorBodyLimit)) ?? ByteBuffer()
        let envelope = try? WireCoding.decoder().decode(ErrorEnvelope.self, from: Data(body.readableBytesView))
        let retryAfter = envelope?.error.retryAfter ?? response.headers.first(name: "Retry-After").flatMap { Int($0) }
        let message = envelope?.error.message ?? "HTTP \(response.status.code)"
        switch response.status.code {
        case 400, 413:
            return BedsideError(.badRequest, message)
        case 401, 403:
            return BedsideError(.upstream, "The inference node at \(baseURL) refused the gateway's token (HTTP \(response.status.code)).", detail: message)
        case 429:
            return BedsideError(.rateLimited, "The inference node at \(baseURL) is rate-limiting this gateway.", detail: message, retryAfter: retryAfter)
        case 503:
            return BedsideError(.inferenceUnavailable, "The inference node at \(baseURL) cannot answer now: \(message)", retryAfter: retryAfter)
        default:
            return BedsideError(.upstream, "The inference node at \(baseURL) failed (HTTP \(response.status.code)).", detail: message, retryAfter: retryAfter)
        }
    }

    private func map(_ error: any Error) -> any Error {
        if error is BedsideError || error is CancellationError { return error }
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout {
                return BedsideError(.timeout, "The inference node at \(baseURL) did not answer in time.", detail: "\(e)")
            }
            if e == .cancelled { return CancellationError() }
            return BedsideError(.inferenceUnavailable, "Cannot reach the inference node at \(baseURL).", detail: "\(e)")
        }
        if error is DecodingError {
            return BedsideError(.upstream, "The inference node at \(baseURL) sent an answer this gateway cannot read.", detail: "\(error)")
        }
        return BedsideError(.inferenceUnavailable, "Cannot reach the inference node at \(baseURL).", detail: "\(error)")
    }
}
