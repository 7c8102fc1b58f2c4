import Core
import Hummingbird
import SQLiteStore
import SharedState

/// Reading what is stored: `GET /v1/answers/{id}`, `/v1/history`, `/v1/sources/{chunk_id}`.
///
/// Answers and history belong to the token's subject: another subject's answer id is a 404
/// with the same message as an id that does not exist, so ids reveal nothing.
struct LookupRoutes: Sendable {
    let gateway: Gateway

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("answers/:id") { request, context in try await answer(request, context) }
        group.get("history") { request, context in try await history(request, context) }
        group.get("sources/:chunk_id") { _, context in try await source(context) }
    }

    /// Replays the subject's stored answer exactly as it was given; the replay is audited
    /// (a HEAD request reads nothing and writes nothing to the trail).
    func answer(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard (1...100).contains(id.utf8.count) else { throw BedsideError(.badRequest, "The answer id is not valid.") }
        let subject = try context.requireSubject()
        guard let stored = try await gateway.state.answer(id: id, subject: subject) else {
            throw BedsideError(.notFound, "You have no stored answer with the id \(RouteTable.printable(id)).")
        }
        if request.method != .head {
            var record = AuditRecord(answer: stored, subject: subject, requestID: context.trace.requestID)
            record.at = gateway.clock.now()
            record.outcome = "replay"
            try await gateway.state.appendAudit(record)
        }
        return try JSONCoding.response(stored)
    }

    /// The subject's own past questions, newest first; `q` filters them.
    func history(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let q = request.uri.queryParameters.get("q")
        let limit = try request.limit(default: 50, max: 1000)
        if let q, q.count > QueryRequest.maxQuestionLength {
            throw BedsideError(.badRequest, "q is too long (the limit is \(QueryRequest.maxQuestionLength) characters).")
        }
        let items = try await gateway.state.history(query: q, limit: limit, subject: try context.requireSubject())
        return try JSONCoding.response(HistoryPage(items: items))
    }

    /// The passage inside its document, with every passage's span for moving between them.
    func source(_ context: GatewayRequestContext) async throws -> Response {
        let raw = context.parameters.get("chunk_id") ?? ""
        guard let id = Int64(raw), id > 0 else {
            throw BedsideError(.badRequest, "The chunk id must be a positive whole number (got \(RouteTable.printable(raw))).")
        }
        guard let (chunk, title) = try await gateway.database.chunk(id: id) else {
            throw BedsideError(.notFound, "No passage has the id \(id); the index may have been rebuilt since the answer was given.")
        }
        guard let document = try await gateway.database.document(id: chunk.documentID) else {
            throw BedsideError(.notFound, "The document of passage \(id) is no longer indexed.")
        }
        let spans = try await gateway.database.chunks(documentID: chunk.documentID).map {
            SourceDocument.Span(chunkID: $0.id, section: $0.section, start: $0.start, end: $0.end)
        }
        let body = SourceDocument(
            chunkID: chunk.id, documentID: document.id, title: title.isEmpty ? document.title : title,
            section: chunk.section, passage: chunk.text, documentText: document.text,
            start: chunk.start, end: chunk.end, metadata: document.metadata, spans: spans)
        return try JSONCoding.response(body)
    }
}

extension GatewayRequestContext {
    /// The authenticated subject; every `/v1` route has one (the auth middleware refuses others).
    func requireSubject() throws -> String {
        guard let subject, !subject.isEmpty else {
            throw BedsideError(.unauthorized, "This request needs a bearer token.")
        }
        return subject
    }
}

extension Request {
    /// The `limit` query parameter: `fallback` when absent, else a whole number in 1...`max` (400 otherwise).
    func limit(default fallback: Int, max: Int) throws -> Int {
        guard let raw = uri.queryParameters.get("limit") else { return fallback }
        guard let n = Int(raw), (1...max).contains(n) else {
            throw BedsideError(.badRequest, "limit must be a whole number between 1 and \(max).")
        }
        return n
    }
}
