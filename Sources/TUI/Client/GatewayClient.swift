import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// The TUI's only link to Bedside: the gateway's HTTP API, with a bearer token.
///
/// Every failure surfaces as a `BedsideError` (the gateway's own error, or one made for a
/// transport failure: `gateway_unreachable`, `timeout`, `upstream`), so the app shows one
/// kind of message whatever went wrong.
public struct GatewayClient: Sendable {
    let endpoint: GatewayEndpoint
    let token: String
    let http: HTTPClient
    /// Time allowed until response headers arrive, for ordinary requests.
    let requestTimeout: TimeAmount
    /// Time allowed until the answer stream starts (the body then streams as long as it needs).
    let streamStartTimeout: TimeAmount
    /// Time allowed for the `/readyz` probe: short, so a dead gateway shows as OFFLINE soon.
    let readyTimeout: TimeAmount = .seconds(2)
    /// Largest JSON body accepted (source documents can be long).
    let maxBodyBytes = 32 << 20

    public init(baseURL: String, token: String, httpClient: HTTPClient = .shared,
                requestTimeoutSeconds: Int64 = 15, streamStartTimeoutSeconds: Int64 = 120) {
        endpoint = GatewayEndpoint(baseURL)
        self.token = token
        http = httpClient
        requestTimeout = .seconds(requestTimeoutSeconds)
        streamStartTimeout = .seconds(streamStartTimeoutSeconds)
    }

    /// An HTTP client suited to a loopback gateway: a short connect timeout (so a stopped
    /// gateway shows as unreachable in seconds, not after the shared client's 90 s), a long
    /// read timeout (an answer stream may pause while the model thinks), no redirects.
    /// The caller shuts it down (`try await client.shutdown()`).
    /// - Parameter caCertificatePath: PEM file of the CA(s) to trust for an `https://`
    ///   gateway instead of the system's (`--cacert`); the caller checks it is readable.
    public static func makeHTTPClient(connectTimeoutSeconds: Int64 = 2, readTimeoutSeconds: Int64 = 300,
                                      caCertificatePath: String? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(connectTimeoutSeconds), read: .seconds(readTimeoutSeconds)))
        configuration.decompression = .disabled
        // A refused connection fails the request at once (the console then goes OFFLINE and
        // replays from the replica) instead of being retried until the request's deadline.
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

    // MARK: - Endpoints

    /// `POST /v1/query` as server-sent events: citations, deltas, then done (or error).
    /// `noCache` sends `Cache-Control: no-cache` so the gateway asks inference again.
    /// Cancelling the consumer cancels the request.
    public func query(_ request: QueryRequest, noCache: Bool = false) -> AsyncThrowingStream<AnswerEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await streamQuery(request, noCache: noCache) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `GET /v1/answers/{id}`: a stored answer.
    public func answer(id: String) async throws -> Answer {
        try await getJSON(Answer.self, url: endpoint.answer(id: id))
    }

    /// `GET /v1/history?q=&limit=`: past questions, newest first.
    public func history(query: String? = nil, limit: Int = 50) async throws -> [HistoryEntry] {
        try await getJSON(HistoryPage.self, url: endpoint.history(query: query, limit: limit)).items
    }

    /// `GET /v1/answers?since=&cursor=&limit=`: a page of this subject's answers, oldest first.
    public func answers(since: String?, cursor: String?, limit: Int = 100) async throws -> AnswerListPage {
        try await getJSON(AnswerListPage.self, url: endpoint.answerList(since: since, cursor: cursor, limit: limit))
    }

    /// `GET /v1/sources/{chunk_id}`: a cited passage inside its document.
    public func source(chunkID: Int64) async throws -> SourceDocument {
        try await getJSON(SourceDocument.self, url: endpoint.source(chunkID: chunkID))
    }

    /// `GET /readyz`: the inference status when inference is reachable, nil when the gateway
    /// answers that it is not. Throws when the gateway itself cannot be reached.
    public func ready() async throws -> InferenceStatus? {
        let (status, body) = try await send(makeRequest(url: endpoint.ready, method: .GET, accept: "application/json"),
                                            timeout: readyTimeout)
        return GatewayResponse.readiness(status: status, body: body)
    }

    // MARK: - Plumbing

    func makeRequest(url: String, method: HTTPMethod, accept: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "bedside-tui")
        return request
    }

    private func getJSON<T: Decodable>(_ type: T.Type, url: String) async throws -> T {
        let (_, body) = try await send(makeRequest(url: url, method: .GET, accept: "application/json"), timeout: requestTimeout)
        return try GatewayResponse.decode(T.self, from: body)
    }

    /// Runs a request and reads the whole body. A non-2xx status throws the gateway's error,
    /// except for `/readyz`, whose 503 is an answer, not a failure.
    private func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> (Int, Data) {
        let response = try await execute(request, timeout: timeout)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: maxBodyBytes)
        } catch {
            throw Self.transportError(error, endpoint: endpoint, afterHead: true)
        }
        let data = Data(buffer.readableBytesView)
        let status = Int(response.status.code)
        if !(200..<300).contains(status) && request.url != endpoint.ready {
            throw GatewayResponse.error(status: status, body: data, retryAfterHeader: response.headers.first(name: "Retry-After"))
        }
        return (status, data)
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
        let response = try await execute(request, timeout: streamStartTimeout)
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let data = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            throw GatewayResponse.error(status: status, body: data, retryAfterHeader: response.headers.first(name: "Retry-After"))
        }
        // A gateway may answer a cached question with plain JSON even when SSE was asked for.
        if response.headers.first(name: "Content-Type")?.lowercased().contains("application/json") == true {
            let buffer: ByteBuffer
            do { buffer = try await response.body.collect(upTo: maxBodyBytes) } catch {
                throw Self.transportError(error, endpoint: endpoint, afterHead: true)
            }
            yield(.done(try GatewayResponse.decode(Answer.self, from: Data(buffer.readableBytesView))))
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
            return BedsideError(.gatewayUnreachable, "Cannot reach the gateway at \(endpoint.display) securely: its TLS certificate is not trusted here "
                                + "(pass --cacert with the CA that signed it) or does not name this address.", detail: String(describing: error))
        }
        return BedsideError(.gatewayUnreachable, "Cannot reach the gateway at \(endpoint.display).", detail: String(describing: error))
    }
}
