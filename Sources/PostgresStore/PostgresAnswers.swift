import Core
import Foundation
import PostgresNIO
import SharedState

/// Answers and history on PostgreSQL, scoped to their subject exactly like SQLite's: every
/// read takes the asking subject and never returns another subject's answers (nil is for
/// local tools only).
extension PostgresGatewayState {
    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String?, originID: String?) async throws -> Answer {
        var saved = answer
        if saved.answerID == nil { saved.answerID = UUID().uuidString.lowercased() }
        let id = saved.answerID ?? ""
        let body = try StoredJSON.encode(saved)
        let normalized = saved.question.normalizedQuestion
        let indexVersion = Int64(saved.indexVersion)
        let createdAt = saved.createdAt.timeIntervalSince1970
        let (question, refused, model) = (saved.question, saved.refused, saved.model)
        try await run { client in
            try await client.query(
                """
                INSERT INTO answer(id, question, normalized_question, body, refused, model, index_version, subject, created_at, origin_id)
                VALUES (\(id), \(question), \(normalized), \(body), \(refused), \(model), \(indexVersion),
                        \(subject)::text, \(createdAt), \(originID)::text)
                ON CONFLICT (id) DO UPDATE SET question = EXCLUDED.question, normalized_question = EXCLUDED.normalized_question,
                    body = EXCLUDED.body, refused = EXCLUDED.refused, model = EXCLUDED.model, index_version = EXCLUDED.index_version,
                    subject = EXCLUDED.subject, created_at = EXCLUDED.created_at, origin_id = EXCLUDED.origin_id
                """, logger: self.logger)
        }
        return saved
    }

    public func answer(id: String, subject: String?) async throws -> Answer? {
        let q: PostgresQuery
        if let subject {
            q = "SELECT body FROM answer WHERE id = \(id) AND subject = \(subject)"
        } else {
            q = "SELECT body FROM answer WHERE id = \(id)"
        }
        let body: String? = try await run { client in
            for try await body in try await client.query(q, logger: self.logger).decode(String.self) { return body }
            return nil
        }
        return try body.map { try StoredJSON.decode(Answer.self, $0) }
    }

    /// `subject`'s own record of `originID` asked in exactly the words `question` (as SQLite's store).
    public func ownAnswer(originID: String, subject: String, question: String) async throws -> Answer? {
        let body: String? = try await run { client in
            let rows = try await client.query(
                """
                SELECT body FROM answer WHERE subject = \(subject) AND question = \(question) AND (id = \(originID) OR origin_id = \(originID))
                ORDER BY created_at, id LIMIT 1
                """, logger: self.logger)
            for try await body in rows.decode(String.self) { return body }
            return nil
        }
        return try body.map { try StoredJSON.decode(Answer.self, $0) }
    }

    /// Past questions of `subject`, newest first; `query` keeps those whose normalised question
    /// contains the normalised words (case-insensitive, wildcards taken literally).
    public func history(query: String?, limit: Int, subject: String?) async throws -> [HistoryEntry] {
        var pattern: String?
        if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty { pattern = Self.likePattern(q.normalizedQuestion) }
        let limit = Int64(max(1, min(limit, 1000)))
        let q: PostgresQuery = """
            SELECT id, question, refused, model, index_version, created_at FROM answer
            WHERE (\(subject)::text IS NULL OR subject = \(subject)::text)
              AND (\(pattern)::text IS NULL OR normalized_question ILIKE \(pattern)::text ESCAPE '\\')
            ORDER BY created_at DESC LIMIT \(limit)
            """
        return try await run { client in
            var out: [HistoryEntry] = []
            let rows = try await client.query(q, logger: self.logger).decode((String, String, Bool, String, Int64, Double).self)
            for try await (id, question, refused, model, indexVersion, created) in rows {
                out.append(
                    HistoryEntry(
                        answerID: id, question: question, refused: refused, model: model, indexVersion: Int(indexVersion),
                        createdAt: Date(timeIntervalSince1970: created)))
            }
            return out
        }
    }

    public func answerCount(subject: String, since: Date?) async throws -> Int {
        let since = since?.timeIntervalSince1970
        return try await run { client in
            let rows = try await client.query(
                "SELECT count(*) FROM answer WHERE subject = \(subject) AND (\(since)::float8 IS NULL OR created_at >= \(since)::float8)",
                logger: self.logger)
            for try await n in rows.decode(Int64.self) { return Int(n) }
            return 0
        }
    }

    public func answers(subject: String, since: Date?, after: AnswerListPosition?, limit: Int) async throws -> (
        items: [Answer], next: AnswerListPosition?
    ) {
        let limit = max(1, min(limit, 1000))
        let since = since?.timeIntervalSince1970
        let afterAt = after?.createdAt
        let afterID = after?.id
        let q: PostgresQuery = """
            SELECT id, body, created_at FROM answer
            WHERE subject = \(subject) AND (\(since)::float8 IS NULL OR created_at >= \(since)::float8)
              AND (\(afterAt)::float8 IS NULL OR created_at > \(afterAt)::float8 OR (created_at = \(afterAt)::float8 AND id > \(afterID)::text))
            ORDER BY created_at ASC, id ASC LIMIT \(Int64(limit + 1))
            """
        let rows: [(String, String, Double)] = try await run { client in
            var out: [(String, String, Double)] = []
            for try await row in try await client.query(q, logger: self.logger).decode((String, String, Double).self) { out.append(row) }
            return out
        }
        let page = rows.prefix(limit)
        let items = try page.map { try StoredJSON.decode(Answer.self, $0.1) }
        let next = rows.count > limit ? page.last.map { AnswerListPosition(createdAt: $0.2, id: $0.0) } : nil
        return (items, next)
    }

    /// `%text%` for `LIKE … ESCAPE '\'`, with the wildcards in `text` escaped (as SQLite's store does).
    static func likePattern(_ text: String) -> String {
        "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
