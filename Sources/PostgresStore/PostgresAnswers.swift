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
        let body = try StoredJSON.encode(saved)
        let q: PostgresQuery = """
            INSERT INTO answer(id, question, normalized_question, body, refused, model, index_version, subject, created_at, origin_id)
            VALUES (\(saved.answerID ?? ""), \(saved.question), \(saved.question.normalizedQuestion), \(body), \(saved.refused), \(saved.model),
                    \(Int64(saved.indexVersion)), \(subject)::text, \(saved.createdAt.timeIntervalSince1970), \(originID)::text)
            ON CONFLICT (id) DO UPDATE SET question = EXCLUDED.question, normalized_question = EXCLUDED.normalized_question,
                body = EXCLUDED.body, refused = EXCLUDED.refused, model = EXCLUDED.model, index_version = EXCLUDED.index_version,
                subject = EXCLUDED.subject, created_at = EXCLUDED.created_at, origin_id = EXCLUDED.origin_id
            """
        try await run { client in try await client.query(q, logger: self.logger) }
        return saved
    }

    public func answer(id: String, subject: String?) async throws -> Answer? {
        let bodies = try await rows(
            "SELECT body FROM answer WHERE id = \(id) AND (\(subject)::text IS NULL OR subject = \(subject)::text)", String.self)
        return try bodies.first.map { try StoredJSON.decode(Answer.self, $0) }
    }

    /// `subject`'s own record of `originID` asked in exactly the words `question` (as SQLite's store).
    public func ownAnswer(originID: String, subject: String, question: String) async throws -> Answer? {
        let bodies = try await rows(
            """
            SELECT body FROM answer WHERE subject = \(subject) AND question = \(question) AND (id = \(originID) OR origin_id = \(originID))
            ORDER BY created_at, id LIMIT 1
            """, String.self)
        return try bodies.first.map { try StoredJSON.decode(Answer.self, $0) }
    }

    /// Past questions of `subject`, newest first; `query` keeps those whose normalised question
    /// contains the normalised words (case-insensitive, wildcards taken literally).
    public func history(query: String?, limit: Int, subject: String?) async throws -> [HistoryEntry] {
        var pattern: String?
        if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty { pattern = q.normalizedQuestion.likeContainsPattern }
        let limit = Int64(max(1, min(limit, 1000)))
        let q: PostgresQuery = """
            SELECT id, question, refused, model, index_version, created_at FROM answer
            WHERE (\(subject)::text IS NULL OR subject = \(subject)::text)
              AND (\(pattern)::text IS NULL OR normalized_question ILIKE \(pattern)::text ESCAPE '\\')
            ORDER BY created_at DESC LIMIT \(limit)
            """
        return try await rows(q, (String, String, Bool, String, Int64, Double).self).map { id, question, refused, model, version, created in
            HistoryEntry(
                answerID: id, question: question, refused: refused, model: model, indexVersion: Int(version),
                createdAt: Date(timeIntervalSince1970: created))
        }
    }

    public func answerCount(subject: String, since: Date?) async throws -> Int {
        let since = since?.timeIntervalSince1970
        let counts = try await rows(
            "SELECT count(*) FROM answer WHERE subject = \(subject) AND (\(since)::float8 IS NULL OR created_at >= \(since)::float8)", Int64.self)
        return Int(counts.first ?? 0)
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
        let found = try await rows(q, (String, String, Double).self)
        let page = found.prefix(limit)
        let items = try page.map { try StoredJSON.decode(Answer.self, $0.1) }
        let next = found.count > limit ? page.last.map { AnswerListPosition(createdAt: $0.2, id: $0.0) } : nil
        return (items, next)
    }
}
