import Core
import Foundation
import Hummingbird
import SQLiteStore
import SharedState

/// `GET /v1/answers?since=&cursor=&limit=`: the token subject's own answers, oldest first,
/// a page at a time (what `bedside sync` pulls into a workstation replica). Only answers
/// saved for this subject are listed; no one else's ever appear.
struct AnswerListRoute: Sendable {
    let gateway: Gateway

    static let defaultLimit = 100
    static let maxLimit = 500

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.get("answers") { request, context in try await list(request, context: context) }
    }

    func list(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        guard let subject = context.subject, !subject.isEmpty else {
            throw BedsideError(.unauthorized, "The token names no subject.")
        }
        let params = request.uri.queryParameters
        let limit = try request.limit(default: Self.defaultLimit, max: Self.maxLimit)
        let since = try params.get("since").map { try Self.parseSince($0, now: gateway.clock.now()) }
        var after: AnswerListPosition?
        if let raw = params.get("cursor"), !raw.isEmpty {
            guard let position = AnswerListPosition(cursor: raw) else {
                throw BedsideError(.badRequest, "cursor is not one this gateway gave out; start again without it.")
            }
            after = position
        }
        let page = try await gateway.state.answers(subject: subject, since: since, after: after, limit: limit)
        let total = try await gateway.state.answerCount(subject: subject, since: since)
        return try JSONCoding.response(AnswerListPage(items: page.items, nextCursor: page.next?.cursor, total: total))
    }

    /// `since` is an ISO 8601 time (`2026-11-01T00:00:00Z`) or a duration back from now (`30d`, `12h`).
    static func parseSince(_ raw: String, now: Date) throws -> Date {
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        guard text.count <= 32, let seconds = try? parseDuration(text) else {
            throw BedsideError(.badRequest, "since must be an ISO 8601 time (2026-11-01T00:00:00Z) or a duration such as 30d or 12h.")
        }
        return now.addingTimeInterval(-seconds)
    }
}
