import Core

/// Work `update` asks the runtime to do. Effects are data, so tests can assert on them
/// without a network or a terminal.
enum Effect: Hashable, Sendable {
    /// POST /v1/query, streamed; replaces any stream already running.
    case query(QueryRequest, noCache: Bool)
    /// Stops the running stream.
    case cancelQuery
    /// GET /v1/history.
    case loadHistory(query: String?, limit: Int, purpose: HistoryPurpose)
    /// GET /v1/answers/{id}.
    case loadAnswer(id: String)
    /// GET /v1/sources/{chunk_id}.
    case loadSource(chunkID: Int64)
    /// GET /readyz.
    case checkReady
    /// GET /v1/history?limit=1: does the gateway still accept the token?
    case checkToken
    /// Writes the answer and its citations as Markdown into the export directory.
    case export(Answer)
    case quit
}
