import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The Bedside API over HTTP (AsyncHTTPClient), with a bearer token: the one client the
/// console, `ask --gateway`, `sync` and remote inference (`serve --inference URL`) use.
///
/// Every failure surfaces as a `BedsideError` (the gateway's own error, or one made for a
/// transport failure: `gateway_unreachable`, `timeout`, `upstream`), so callers handle one
/// kind of error whatever went wrong.
public struct GatewayClient: BedsideAPI {
    /// How long each kind of request may take.
    public struct Timeouts: Sendable, Hashable {
        /// Until response headers arrive, for ordinary requests.
        public var request: TimeAmount
        /// Until the answer stream starts (the body then streams as long as it needs).
        public var streamStart: TimeAmount
        /// For `/readyz`: short, so a dead gateway shows as OFFLINE soon.
        public var ready: TimeAmount

        public init(request: TimeAmount = .seconds(15), streamStart: TimeAmount = .seconds(120), ready: TimeAmount = .seconds(2)) {
            self.request = request
            self.streamStart = streamStart
            self.ready = ready
        }
    }

    let endpoint: GatewayEndpoint
    let token: String?
    let http: HTTPClient
    let timeouts: Timeouts
    let userAgent: String
    /// Largest JSON body accepted (source documents can be long).
    let maxBodyBytes = 32 << 20

    /// - Parameters:
    ///   - token: the bearer token; nil sends no `Authorization` header.
    ///   - httpClient: the caller's client (see `makeHTTPClient`); not shut down here.
    public init(
        baseURL: String, token: String?, httpClient: HTTPClient = .shared, timeouts: Timeouts = Timeouts(),
        userAgent: String = "bedside-tui"
    ) {
        endpoint = GatewayEndpoint(baseURL)
        self.token = token
        http = httpClient
        self.timeouts = timeouts
        self.userAgent = userAgent
    }

    /// An HTTP client suited to a gateway: a short connect timeout (so a stopped gateway shows
    /// as unreachable in seconds, not after the shared client's 90 s), a long read timeout (an
    /// answer stream may pause while the model thinks), no redirects.
    /// The caller shuts it down (`try await client.shutdown()`).
    /// - Parameter caCertificatePath: PEM file of the CA(s) to trust for an `https://`
    ///   gateway instead of the system's (`--cacert`); the caller checks it is readable.
    public static func makeHTTPClient(
        connectTimeout: TimeAmount = .seconds(2), readTimeout: TimeAmount = .seconds(300),
        caCertificatePath: String? = nil
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout, read: readTimeout))
        configuration.decompression = .disabled
        // A refused connection fails the request at once (the console then goes OFFLINE and
        // replays from the replica; a gateway counts it against its circuit breaker) instead
        // of being retried until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let caCertificatePath {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caCertificatePath)
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The base URL as shown in the status bar.
    public var displayAddress: String { endpoint.display }
    /// The base URL, without a trailing slash.
    public var baseURL: String { endpoint.base }

    /// How a base URL is shown (host and port), before any client exists.
    public static func displayAddress(baseURL: String) -> String { GatewayEndpoint(baseURL).display }

    // MARK: - Endpoints

    public func query(_ request: QueryRequest, noCache: Bool) -> AsyncThrowingStream<AnswerEvent, any Error> {
        .producing { continuation in
            try await streamQuery(request, noCache: noCache) { continuation.yield($0) }
        }
    }

    public func answer(id: String) async throws -> Answer {
        try await getJSON(Answer.self, url: endpoint.answer(id: id))
    }

    public func history(query: String?, limit: Int) async throws -> [HistoryEntry] {
        try await getJSON(HistoryPage.self, url: endpoint.history(query: query, limit: limit)).items
    }

    public func answers(since: String?, cursor: String?, limit: Int) async throws -> AnswerListPage {
        try await getJSON(AnswerListPage.self, url: endpoint.answerList(since: since, cursor: cursor, limit: limit))
    }

    public func source(chunkID: Int64) async throws -> SourceDocument {
        try await getJSON(SourceDocument.self, url: endpoint.source(chunkID: chunkID))
    }

    public func readiness() async throws -> Readiness {
        let (status, body) = try await send(
            makeRequest(url: endpoint.ready, method: .GET, accept: "application/json"),
            timeout: timeouts.ready, acceptAnyStatus: true)
        return GatewayResponse.readiness(status: status, body: body)
    }

    // MARK: - Plumbing

    func makeRequest(url: String, method: HTTPMethod, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: userAgent)
        return request
    }

    private func getJSON<T: Decodable>(_ type: T.Type, url: String) async throws -> T {
        let (_, body) = try await send(makeRequest(url: url, method: .GET, accept: "application/json"), timeout: timeouts.request)
        return try GatewayResponse.decode(T.self, from: body)
    }

    /// Runs a request and reads the whole body. A non-2xx status throws the gateway's error,
    /// unless `acceptAnyStatus` (`/readyz`, whose 503 is an answer, not a failure).
    private func send(_ request: HTTPClientRequest, timeout: TimeAmount, acceptAnyStatus: Bool = false) async throws -> (Int, Data) {
        let response = try await execute(request, timeout: timeout)
        let data = try await collect(response)
        let status = Int(response.status.code)
        if !(200..<300).contains(status) && !acceptAnyStatus {
            throw GatewayResponse.error(status: status, body: data, retryAfterHeader: response.headers.first(name: "Retry-After"))
        }
        return (status, data)
    }

    /// The whole body (up to `maxBodyBytes`); a failure while reading it is the connection's.
    private func collect(_ response: HTTPClientResponse) async throws -> Data {
        do { return Data(try await response.body.collect(upTo: maxBodyBytes).readableBytesView) } catch {
            throw Self.transportError(error, endpoint: endpoint, afterHead: true)
        }
    }

    private func execute(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: timeout)
        } catch {
            throw Self.transportError(error, endpoint: endpoint, afterHead: false)
        }
    }

    private func streamQuery(_ query: QueryRequest, noCache: Bool, yield: (AnswerEvent) -> Void) async throws {
        var request = makeRequest(url: endpoint.query, method: .POST, accept: "text/event-stream")
        request.headers.add(name: "Content-Type", value: "application/json")
        if noCache { request.headers.add(name: "Cache-Control", value: "no-cache") }
        let body = try WireCoding.encoder().encode(query)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await execute(request, timeout: timeouts.streamStart)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            throw GatewayResponse.error(status: status, body: data, retryAfterHeader: response.headers.first(name: "Retry-After"))
        }
        // A gateway may answer a cached question with plain JSON even when SSE was asked for.
        if response.headers.first(name: "Content-Type")?.lowercased().contains("application/json") == true {
            yield(.done(try GatewayResponse.decode(Answer.self, from: try await collect(response))))
            return
        }
        var decoder = AnswerStreamDecoder()
        do {
            for try await chunk in response.body {
                for event in try decoder.feed(chunk.readableBytesView) { yield(event) }
                if decoder.finished { break }
            }
        } catch let error as BedsideError {
            throw error
        } catch {
            throw Self.transportError(error, endpoint: endpoint, afterHead: true)
        }
        try Task.checkCancellation()
        try decoder.finish()
    }

    /// Maps an HTTP client failure to an error a clinician can act on.
    static func transportError(_ error: any Error, endpoint: GatewayEndpoint, afterHead: Bool) -> any Error {
        if error is CancellationError || error is BedsideError { return error }
        if let e = error as? HTTPClientError {
            if e == .cancelled { return CancellationError() }
            if e == .deadlineExceeded || e == .readTimeout {
                return BedsideError(.timeout, "The gateway at \(endpoint.display) did not answer in time.", detail: String(describing: e))
            }
        }
        if afterHead {
            return BedsideError(.upstream, "The connection to the gateway was lost.", detail: String(describing: error))
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return BedsideError(
                .gatewayUnreachable,
                "Cannot reach the gateway at \(endpoint.display) securely: its TLS certificate is not trusted here "
                    + "(pass --cacert with the CA that signed it) or does not name this address.", detail: String(describing: error))
        }
        return BedsideError(.gatewayUnreachable, "Cannot reach the gateway at \(endpoint.display).", detail: String(describing: error))
    }
}
