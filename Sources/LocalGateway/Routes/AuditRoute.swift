import Core
import Foundation
import Hummingbird
import SQLiteStore
import SharedState

/// `GET /v1/audit?since=&until=&subject=&format=jsonl|csv`: the audit trail for tokens with
/// the `auditor` role only, streamed oldest first a page at a time (an export of any size
/// holds one page in memory). Everyone else gets 403.
struct AuditRoute: Sendable {
    let gateway: Gateway

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("audit") { request, context in try await export(request, context) }
    }

    func export(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard context.roles.contains(TokenRole.auditor) else {
            throw BedsideError(.forbidden, "Reading the audit trail needs a token with the auditor role (bedside token create --role auditor).")
        }
        let params = request.uri.queryParameters
        let now = gateway.clock.now()
        var query = AuditQuery()
        if let v = params.get("since") { query.since = try AuditExport.parseTime(v, now: now, name: "since") }
        if let v = params.get("until") { query.until = try AuditExport.parseTime(v, now: now, name: "until") }
        if let v = params.get("subject") {
            guard (1...256).contains(v.utf8.count) else { throw BedsideError(.badRequest, "subject must be 1 to 256 characters.") }
            query.subject = v
        }
        guard let format = AuditExport.Format(rawValue: params.get("format")?.lowercased() ?? "jsonl") else {
            throw BedsideError(.badRequest, "format must be jsonl or csv.")
        }
        let q = query
        let headers: HTTPFields = [.contentType: format.contentType, .cacheControl: "no-store"]
        if request.method == .head { return Response(status: .ok, headers: headers) }
        let body = ResponseBody { writer in
            let head = AuditExport.header(format)
            if !head.isEmpty { try await writer.write(ByteBuffer(string: head)) }
            try await gateway.state.forEachAuditPage(q) { rows in
                try await writer.write(ByteBuffer(string: try AuditExport.lines(rows, format)))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
