import AsyncHTTPClient

/// The `HTTPClient` configuration Bedside's clients expect.
///
/// AsyncHTTPClient's default retries a refused connection with backoff until the request's
/// deadline, so "Qdrant is down" would surface only after the whole request timeout (30 s
/// and more). Bedside retries at its own level (`RetryPolicy`), so connection establishment
/// is not retried inside the pool and the connect timeout is short: a stopped server is an
/// `inference_unavailable` error within milliseconds. Shut the client down when done
/// (`try await client.shutdown()`).
public enum BedsideHTTPClient {
    public static func make(connectTimeoutSeconds: Int64 = 5) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(connectTimeoutSeconds)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
