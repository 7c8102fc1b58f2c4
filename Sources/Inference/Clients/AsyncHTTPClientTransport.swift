import AsyncHTTPClient
import NIOCore

/// `HTTPTransport` over AsyncHTTPClient. The `HTTPClient` is owned by the caller (one per
/// process), so connection pools are shared and shutdown happens in one place.
public struct AsyncHTTPClientTransport: HTTPTransport {
    public let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        var r = HTTPClientRequest(url: request.url)
        r.method = .init(rawValue: request.method.rawValue)
        for (name, value) in request.headers { r.headers.add(name: name, value: value) }
        if let body = request.body { r.body = .bytes(body) }
        let response: HTTPClientResponse
        do {
            do {
                response = try await client.execute(r, timeout: TimeAmount(timeout))
            } catch  where Self.isStalePooledConnection(error) {
                // A kept-alive connection the server had already closed (llama-server closes after
                // a streamed response): the request never reached it, so send it once more on a
                // fresh connection.
                response = try await client.execute(r, timeout: TimeAmount(timeout))
            }
        } catch {
            throw Self.map(error, url: request.url)
        }
        var headers: [String: String] = [:]
        for h in response.headers { headers[h.name.lowercased()] = h.value }
        // Pump the body into a stream; cancelling the consumer cancels the pump, which
        // cancels the request inside AsyncHTTPClient (the connection is closed).
        let url = request.url
        let stream = AsyncThrowingStream<[UInt8], any Error>.producing { continuation in
            do {
                for try await buffer in response.body {
                    continuation.yield(Array(buffer.readableBytesView))
                }
            } catch {
                throw Self.map(error, url: url)
            }
        }
        return TransportResponse(status: Int(response.status.code), headers: headers, body: stream)
    }

    /// Whether `error` says the pooled connection was already closed before the request went
    /// out, so sending again is safe.
    static func isStalePooledConnection(_ error: any Error) -> Bool {
        switch error {
        case ChannelError.ioOnClosedChannel, ChannelError.eof, ChannelError.outputClosed: return true
        case let e as HTTPClientError: return e == .remoteConnectionClosed
        default: return false
        }
    }

    /// Maps AsyncHTTPClient and NIO errors onto `TransportError` / `CancellationError`.
    static func map(_ error: any Error, url: String) -> any Error {
        if error is CancellationError || error is TransportError { return error }
        if let e = error as? HTTPClientError {
            switch e {
            case .cancelled: return CancellationError()
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return TransportError.timeout("\(url): \(e)")
            default:
                return TransportError.connection("\(url): \(e)")
            }
        }
        // NIO's connection errors (refused, reset, DNS) are not nameable without NIO imports.
        return TransportError.connection("\(url): \(error)")
    }
}
