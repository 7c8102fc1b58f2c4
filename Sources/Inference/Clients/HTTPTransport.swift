/// The HTTP seam of the clients: one request out, a status, headers and a streamed body back.
///
/// Production code uses `AsyncHTTPClientTransport` (an `HTTPClient` passed in); tests inject a
/// scripted transport so retries, timeouts, truncated streams and cancellation can be exercised
/// without a server.
public protocol HTTPTransport: Sendable {
    /// Sends a request. `timeout` bounds the whole exchange, body included. Throws
    /// `TransportError` for connection failures and timeouts, `CancellationError` when the
    /// calling task is cancelled.
    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse
}

/// An HTTP request as the clients build it.
public struct TransportRequest: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable { case GET, POST, PUT, DELETE }
    public var method: Method
    public var url: String
    /// Header names are lowercase.
    public var headers: [String: String] = [:]
    public var body: [UInt8]?
}

/// A response whose body arrives in pieces (streamed completions) or is collected whole.
public struct TransportResponse: Sendable {
    public var status: Int
    /// Header names are lowercase.
    public var headers: [String: String] = [:]
    public var body: AsyncThrowingStream<[UInt8], any Error>
}

/// In an extension, so the memberwise init stays.
extension TransportResponse {
    /// A response with a body known in advance (tests, errors).
    public init(status: Int, headers: [String: String] = [:], bytes: [UInt8]) {
        let (stream, c) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        if !bytes.isEmpty { c.yield(bytes) }
        c.finish()
        self.init(status: status, headers: headers, body: stream)
    }

    /// Reads the whole body, refusing more than `limit` bytes (a misbehaving server cannot exhaust memory).
    public func collect(limit: Int = 64 << 20) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await piece in body {
            out += piece
            if out.count > limit { throw TransportError.tooLarge(limit) }
        }
        return out
    }
}

/// Why an exchange failed below HTTP.
public enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server could not be reached or dropped the connection.
    case connection(String)
    /// The exchange did not finish within its timeout.
    case timeout(String)
    /// The body was larger than the caller accepts.
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .connection(let d): "connection failed: \(d)"
        case .timeout(let d): "timed out: \(d)"
        case .tooLarge(let n): "response larger than \(n) bytes"
        }
    }
}

extension Duration {
    /// Seconds as a `Double` (for messages and arithmetic).
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
