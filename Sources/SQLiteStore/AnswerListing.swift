import Core
import Foundation
import GRDB
import SharedState

/// A subject's answers, page by page, for `GET /v1/answers` (what `bedside sync` pulls).
extension BedsideDatabase {
    /// How many answers of `subject` were created at or after `since`.
    public func answerCount(subject: String, since: Date?) async throws -> Int {
        try await read { db in
            if let since {
                return try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM answer WHERE subject = ? AND created_at >= ?",
                    arguments: [subject, since.timeIntervalSince1970]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM answer WHERE subject = ?", arguments: [subject]) ?? 0
        }
    }

    /// Up to `limit` answers of `subject` created at or after `since`, oldest first, after
    /// `after`; with the position of the last one when more may follow.
    public func answers(subject: String, since: Date?, after: AnswerListPosition?, limit: Int) async throws -> (
        items: [Answer], next: AnswerListPosition?
    ) {
        let limit = max(1, min(limit, 1000))
        return try await read { db in
            var sql = "SELECT id, body, created_at FROM answer WHERE subject = ?"
            var args: [any DatabaseValueConvertible] = [subject]
            if let since {
                sql += " AND created_at >= ?"
                args.append(since.timeIntervalSince1970)
            }
            if let after {
                sql += " AND (created_at > ? OR (created_at = ? AND id > ?))"
                args += [after.createdAt, after.createdAt, after.id]
            }
            sql += " ORDER BY created_at ASC, id ASC LIMIT ?"
            args.append(limit + 1)
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            let page = rows.prefix(limit)
            let items = try page.map { row -> Answer in try Self.decode(Answer.self, row["body"]) }
            let next = rows.count > limit ? page.last.map { AnswerListPosition(createdAt: $0["created_at"], id: $0["id"]) } : nil
            return (items, next)
        }
    }
}
