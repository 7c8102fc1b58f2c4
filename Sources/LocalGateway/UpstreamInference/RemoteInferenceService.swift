import APIClient
import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Inference on another Bedside gateway (`bedside serve --inference URL`): answers come
/// from its `POST /v1/query` (always with `no-cache`), status from its `/readyz`, both
/// through the same `GatewayClient` the console uses. What this adds is the translation of
/// the node's answers into this gateway's terms: an `error` event or a refused token is a
/// failure of inference, not of the caller.
///
/// The gateway wraps this, like any `InferenceService`, in its total timeout and circuit
/// breaker; the connect timeout belongs to the HTTP client. Call `shutdown()` when done
/// (`runGateway` does it for a remote service it was given).
public final class RemoteInferenceService: InferenceService, Sendable {
    public let baseURL: String
    private let client: GatewayClient
    private let http: HTTPClient
    private let ownsClient: Bool

    /// - Parameters:
    ///   - baseURL: the remote gateway, e.g. `http://10.0.0.5:8787`.
    ///   - token: a bearer token the remote accepts.
    ///   - httpClient: an existing client to use (its connect timeout applies; not shut down here).
    ///   - caCertificatePath: PEM file of the CA(s) to trust for an `https://` node instead of the system's.
    public init(
        baseURL: String, token: String?, connectTimeout: TimeInterval = 2, totalTimeout: TimeInterval = 60,
        statusTimeout: TimeInterval = 5, httpClient: HTTPClient? = nil, caCertificatePath: String? = nil
    ) {
        if let httpClient {
            http = httpClient
            ownsClient = false
        } else {
            http = GatewayClient.makeHTTPClient(
                connectTimeout: .seconds(from: connectTimeout), readTimeout: .seconds(from: totalTimeout),
                caCertificatePath: caCertificatePath)
            ownsClient = true
        }
        let status = TimeAmount.seconds(from: min(statusTimeout, totalTimeout))
        client = GatewayClient(
            baseURL: baseURL, token: token, httpClient: http,
            timeouts: .init(request: status, streamStart: .seconds(from: totalTimeout), ready: status),
            userAgent: "bedside-gateway")
        self.baseURL = client.baseURL
    }

    public func shutdown() async throws {
        if ownsClient { try await http.shutdown() }
    }

    public func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        .producing { [client, baseURL] continuation in
            var events = client.query(request, noCache: true).makeAsyncIterator()
            var relayed = ""
            while true {
                let event: AnswerEvent?
                do { event = try await events.next() } catch { throw Self.map(error, baseURL: baseURL) }
                switch event {
                case .error(let e): throw e // the node's own verdict on this question, passed on as it is
                case .done(let answer)?:
                    if let rest = try Self.rest(of: answer, after: relayed, baseURL: baseURL) { continuation.yield(.delta(rest)) }
                    continuation.yield(event!)
                    return
                case .delta(let text)?:
                    relayed += text
                    continuation.yield(event!)
                case let event?: continuation.yield(event)
                case nil:
                    throw BedsideError(.upstream, "The inference node at \(baseURL) closed the stream before the answer was complete.")
                }
            }
        }
    }

    /// The node's events are relayed as it sent them; its deltas must be the start of its
    /// answer. A node that streams text its answer drops (an older Bedside that sent the
    /// model's words unchecked) fails here, so that answer is not saved as if the stream had
    /// been sound. Returns the part of the node's answer its deltas did not carry (nil when
    /// none), so the relayed deltas concatenate to the answer relayed.
    static func rest(of answer: Answer, after relayed: String, baseURL: String) throws -> String? {
        if answer.answer.utf8.starts(with: relayed.utf8) {
            let rest = String(decoding: answer.answer.utf8.dropFirst(relayed.utf8.count), as: UTF8.self)
            return rest.isEmpty || relayed.isEmpty ? nil : rest
        }
        throw BedsideError(
            .upstream, "The inference node at \(baseURL) streamed text that its answer does not contain; it may run an older Bedside.",
            detail: "relayed \(relayed.utf8.count) bytes of text the answer does not begin with")
    }

    public func status() async throws -> InferenceStatus {
        let readiness: Readiness
        do { readiness = try await client.readiness() } catch { throw Self.map(error, baseURL: baseURL) }
        if let status = readiness.status { return status }
        if let e = readiness.error {
            throw BedsideError(.inferenceUnavailable, "The inference node at \(baseURL) is not ready: \(e.message)", retryAfter: e.retryAfter)
        }
        throw BedsideError(.upstream, "The inference node at \(baseURL) answered /readyz with HTTP \(readiness.httpStatus).")
    }

    /// The client's error in this gateway's terms: the node's refusal of this gateway's token
    /// is an upstream failure (not the caller's 401), an unreachable node is unavailable inference.
    static func map(_ error: any Error, baseURL: String) -> any Error {
        guard let e = error as? BedsideError else { return error } // CancellationError
        let node = "The inference node at \(baseURL)"
        switch e.code {
        case .badRequest, .invalidQuestion, .payloadTooLarge:
            return BedsideError(.badRequest, e.message, detail: e.detail)
        case .unauthorized, .forbidden:
            return BedsideError(.upstream, "\(node) refused the gateway's token (\(e.code.rawValue)).", detail: e.message)
        case .rateLimited:
            return BedsideError(.rateLimited, "\(node) is rate-limiting this gateway.", detail: e.message, retryAfter: e.retryAfter)
        case .inferenceUnavailable:
            return BedsideError(.inferenceUnavailable, "\(node) cannot answer now: \(e.message)", detail: e.detail, retryAfter: e.retryAfter)
        case .gatewayUnreachable:
            return BedsideError(.inferenceUnavailable, "Cannot reach the inference node at \(baseURL).", detail: e.detail)
        case .timeout:
            return BedsideError(.timeout, "\(node) did not answer in time.", detail: e.detail ?? e.message, retryAfter: e.retryAfter)
        default:
            return BedsideError(.upstream, "\(node) failed: \(e.message)", detail: e.detail, retryAfter: e.retryAfter)
        }
    }
}
