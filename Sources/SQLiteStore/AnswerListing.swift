import Core
import Foundation
import GRDB
import SharedState

/// A subject's answers, page by page, for `GET /v1/answers` (what `bedside sync` pulls).
extension BedsideDatabase {
    /// How many answers of `subject` were created at or after `since`.
    public func answerCount(subject: String, since: Date?) async throws -> Int {
        try await read { db in
            var request = Table("answer").filter(Column("subject") == subject)
            if let since { request = request.filter(Column("created_at") >= since.timeIntervalSince1970) }
            return try request.fetchCount(db)
        }
    }

    /// Up to `limit` answers of `subject` created at or after `since`, oldest first, after
    /// `after`; with the position of the last one when more may follow.
    public func answers(subject: String, since: Date?, after: AnswerListPosition?, limit: Int) async throws -> (
        items: [Answer], next: AnswerListPosition?
    ) {
        let limit = max(1, min(limit, 1000))
        return try await read { db in
            var request = Table("answer").select(sql: "id, body, created_at").filter(Column("subject") == subject)
            if let since { request = request.filter(Column("created_at") >= since.timeIntervalSince1970) }
            if let after {
                request = request.filter(
                    sql: "(created_at > ? OR (created_at = ? AND id > ?))", arguments: [after.createdAt, after.createdAt, after.id])
            }
            let rows = try request.order(Column("created_at").asc, Column("id").asc).limit(limit + 1).fetchAll(db)
            let page = rows.prefix(limit)
            let items = try page.map { row -> Answer in try StoredJSON.decode(Answer.self, row["body"]) }
            let next = rows.count > limit ? page.last.map { AnswerListPosition(createdAt: $0["created_at"], id: $0["id"]) } : nil
            return (items, next)
        }
    }
}
