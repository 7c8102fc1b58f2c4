import Core
import Hummingbird
import Store

/// Reading what is stored: `GET /v1/answers/{id}`, `/v1/history`, `/v1/sources/{chunk_id}`.
struct LookupRoutes: Sendable {
    let gateway: Gateway

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("answers/:id") { _, context in try await answer(context) }
        group.get("history") { request, _ in try history(request) }
        group.get("sources/:chunk_id") { _, context in try source(context) }
    }

    /// Replays a stored answer exactly as it was given; the replay is audited.
    func answer(_ context: GatewayRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard (1...100).contains(id.utf8.count) else { throw GatewayError(BedsideError(.badRequest, "The answer id is not valid.")) }
        guard let stored = try gateway.database.answer(id: id) else {
            throw GatewayError(BedsideError(.notFound, "No stored answer has the id \(RouteTable.printable(id))."))
        }
        var record = AuditRecord(answer: stored, subject: context.subject ?? "", requestID: context.trace.requestID)
        record.at = gateway.clock.now()
        record.outcome = "replay"
        try await gateway.database.appendAudit(record)
        return try JSONCoding.response(stored)
    }

    func history(_ request: Request) throws -> Response {
        let params = request.uri.queryParameters
        let q = params.get("q")
        var limit = 50
        if let raw = params.get("limit") {
            guard let n = Int(raw), (1...1000).contains(n) else {
                throw GatewayError(BedsideError(.badRequest, "limit must be a whole number between 1 and 1000."))
            }
            limit = n
        }
        if let q, q.count > QueryRequest.maxQuestionLength {
            throw GatewayError(BedsideError(.badRequest, "q is too long (the limit is \(QueryRequest.maxQuestionLength) characters)."))
        }
        return try JSONCoding.response(HistoryPage(items: try gateway.database.history(query: q, limit: limit)))
    }

    /// The passage inside its document, with every passage's span for moving between them.
    func source(_ context: GatewayRequestContext) throws -> Response {
        let raw = context.parameters.get("chunk_id") ?? ""
        guard let id = Int64(raw), id > 0 else {
            throw GatewayError(BedsideError(.badRequest, "The chunk id must be a positive whole number (got \(RouteTable.printable(raw)))."))
        }
        guard let (chunk, title) = try gateway.database.chunk(id: id) else {
            throw GatewayError(BedsideError(.notFound, "No passage has the id \(id); the index may have been rebuilt since the answer was given."))
        }
        guard let document = try gateway.database.document(id: chunk.documentID) else {
            throw GatewayError(BedsideError(.notFound, "The document of passage \(id) is no longer indexed."))
        }
        let spans = try gateway.database.chunks(documentID: chunk.documentID).map {
            SourceDocument.Span(chunkID: $0.id, section: $0.section, start: $0.start, end: $0.end)
        }
        let body = SourceDocument(chunkID: chunk.id, documentID: document.id, title: title.isEmpty ? document.title : title,
                                  section: chunk.section, passage: chunk.text, documentText: document.text,
                                  start: chunk.start, end: chunk.end, metadata: document.metadata, spans: spans)
        return try JSONCoding.response(body)
    }
}
