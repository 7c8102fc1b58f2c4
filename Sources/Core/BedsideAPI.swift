/// The Bedside HTTP API as a client sees it: what the console, `ask --gateway`, `sync` and a
/// gateway using another gateway for inference (`serve --inference URL`) ask of a gateway.
///
/// One implementation speaks HTTP (`GatewayClient` in the APIClient module); tests use
/// scripted ones. Every failure is a `BedsideError`: the gateway's own error for a non-2xx
/// answer, or one made for a transport failure (`gateway_unreachable`, `timeout`, `upstream`).
public protocol BedsideAPI: Sendable {
    /// The gateway's host and port, for status bars and messages.
    var displayAddress: String { get }
    /// `POST /v1/query` as server-sent events: citations, deltas, then `done` (or an `error`
    /// event). A stream cut before its final event fails. `noCache` asks the gateway to ask
    /// inference again. Cancelling the consumer cancels the request.
    func query(_ request: QueryRequest, noCache: Bool) -> AsyncThrowingStream<AnswerEvent, any Error>
    /// `GET /v1/answers/{id}`: a stored answer.
    func answer(id: String) async throws -> Answer
    /// `GET /v1/history?q=&limit=`: past questions, newest first.
    func history(query: String?, limit: Int) async throws -> [HistoryEntry]
    /// `GET /v1/answers?since=&cursor=&limit=`: a page of the caller's answers, oldest first (replicas).
    func answers(since: String?, cursor: String?, limit: Int) async throws -> AnswerListPage
    /// `GET /v1/sources/{chunk_id}`: a cited passage inside its document.
    func source(chunkID: Int64) async throws -> SourceDocument
    /// `GET /readyz`, whatever its status code; throws only when the gateway cannot be reached.
    func readiness() async throws -> Readiness
}

/// What `GET /readyz` answered: 200 with the inference status when inference is ready, 503
/// with it when inference answers but is not ready, 503 with an error when it cannot be reached.
public struct Readiness: Sendable, Hashable {
    public var httpStatus: Int
    /// The body, when it is an `InferenceStatus`.
    public var status: InferenceStatus?
    /// The body, when it is an error envelope.
    public var error: BedsideError?

    public init(httpStatus: Int, status: InferenceStatus? = nil, error: BedsideError? = nil) {
        self.httpStatus = httpStatus
        self.status = status
        self.error = error
    }

    /// The inference status when inference is ready; nil when the gateway says it is not.
    /// A 2xx without a readable status (an older gateway) counts as ready.
    public var readyStatus: InferenceStatus? {
        guard (200..<300).contains(httpStatus) else { return nil }
        guard let status else { return InferenceStatus(ready: true, indexVersion: 0, model: "", retriever: "") }
        return status.ready ? status : nil
    }
}

extension BedsideAPI {
    public func query(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> { query(request, noCache: false) }
    public func history(limit: Int = 50) async throws -> [HistoryEntry] { try await history(query: nil, limit: limit) }

    /// The inference status when the gateway says inference is ready, nil when it says it is
    /// not. Throws when the gateway itself cannot be reached.
    public func ready() async throws -> InferenceStatus? { try await readiness().readyStatus }
}

extension BedsideError.Code {
    /// A client could not reach the gateway itself (connection refused, DNS, TLS, timeout on connect).
    public static let gatewayUnreachable: BedsideError.Code = "gateway_unreachable"
}
