import Core
import Foundation

/// One upstream service's request loop: headers, timeout, retries with backoff, and the
/// mapping of failures to `BedsideError`. Shared by the embedding and Qdrant clients.
struct UpstreamCaller: Sendable {
    var transport: any HTTPTransport
    /// How the service is named in messages: "The embedding server", "Qdrant".
    var service: String
    var retry: RetryPolicy
    var timeout: Duration
    /// Added to every request (authorisation, content type).
    var headers: [String: String]

    /// Sends a request and returns a 2xx response's body. Retries 429/408/5xx and connection
    /// failures (when `idempotent`), then throws the mapped error. A non-2xx response for
    /// which `passThrough` returns true is returned instead of thrown (404 "no such
    /// collection", 409 "exists", a 500 "input too large" the caller can fix).
    func call(
        _ method: TransportRequest.Method, _ url: String, json body: [UInt8]? = nil, idempotent: Bool = true,
        passThrough: @Sendable (Int, [UInt8]) -> Bool = { _, _ in false }
    ) async throws -> (status: Int, body: [UInt8]) {
        var h = headers
        if body != nil { h["content-type"] = "application/json" }
        h["accept"] = "application/json"
        let request = TransportRequest(method: method, url: url, headers: h, body: body)
        var attempt = 1
        while true {
            try Task.checkCancellation()
            var retryAfter: Double?
            var failure: any Error
            do {
                let response = try await transport.send(request, timeout: timeout)
                let bytes = try await response.collect()
                if (200...299).contains(response.status) || passThrough(response.status, bytes) {
                    return (response.status, bytes)
                }
                failure = UpstreamFailure.http(service: service, url: url, status: response.status, body: bytes, headers: response.headers)
                guard idempotent, RetryPolicy.isRetryable(status: response.status) else { throw failure }
                retryAfter = UpstreamFailure.retryAfter(response.headers)
            } catch let e as TransportError {
                failure = UpstreamFailure.transport(service: service, url: url, e)
                if case .tooLarge = e { throw failure }
                guard idempotent else { throw failure }
            }
            guard attempt < retry.maxAttempts else { throw failure }
            try await retry.sleep(retry.delay(attempt: attempt, retryAfter: retryAfter))
            attempt += 1
        }
    }

    /// `call` and decode the 2xx body as `T`.
    func decode<T: Decodable>(
        _ type: T.Type, _ method: TransportRequest.Method, _ url: String, json body: [UInt8]? = nil,
        idempotent: Bool = true
    ) async throws -> T {
        let (_, bytes) = try await call(method, url, json: body, idempotent: idempotent)
        return try Self.decodeBody(type, bytes, service: service, url: url)
    }

    static func decodeBody<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], service: String, url: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(bytes)) } catch {
            throw BedsideError(
                .upstream, "\(service) sent a response Bedside cannot read.",
                detail: "\(url): \(error); body: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return Array(try e.encode(value))
    }
}
