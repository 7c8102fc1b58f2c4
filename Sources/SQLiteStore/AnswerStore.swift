import Core
import Foundation
import GRDB
import SharedState

/// Answers given (history and replay), each row the Answer wire object whole in `body` with
/// the columns history filters on. Every answer belongs to the subject it was given to; reads
/// take the subject and never return another subject's answers.
extension BedsideDatabase {
    /// Saves an answer (assigning an id when it has none) for `subject` and returns it with its id.
    /// A nil `subject` is for local tools on the file, never the gateway.
    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String?, originID: String? = nil) async throws -> Answer {
        var saved = answer
        if saved.answerID == nil { saved.answerID = UUID().uuidString.lowercased() }
        let arguments: StatementArguments = [
            saved.answerID ?? "", saved.question, saved.question.normalizedQuestion, try StoredJSON.encode(saved), saved.refused,
            saved.model, saved.indexVersion, subject, saved.createdAt.timeIntervalSince1970, originID,
        ]
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO answer(id, question, normalized_question, body, refused, model, index_version, subject, created_at, origin_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: arguments)
        }
        return saved
    }

    /// The answer with `id` when it belongs to `subject` (nil `subject`: any, for local tools).
    public func answer(id: String, subject: String?) async throws -> Answer? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ?1 AND (?2 IS NULL OR subject = ?2)", arguments: [id, subject])
                .map { try StoredJSON.decode(Answer.self, $0) }
        }
    }

    /// `subject`'s own record of the answer `originID` asked in the words `question` (exactly
    /// as they sent them): the answer itself when it is theirs and was asked so, or a copy
    /// made when it was served to them from the cache. A subject who asks the same cached
    /// answer in other words has a record for each wording, so that what they are shown, and
    /// what their history and audit rows keep, is what they sent, never another subject's text.
    public func ownAnswer(originID: String, subject: String, question: String) async throws -> Answer? {
        try await read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT body FROM answer WHERE subject = ? AND question = ? AND (id = ? OR origin_id = ?)
                    ORDER BY created_at, id LIMIT 1
                    """, arguments: [subject, question, originID, originID]
            ).map { try StoredJSON.decode(Answer.self, $0) }
        }
    }

    /// Past questions of `subject`, newest first; `query` filters by substring (case-insensitive).
    /// A nil subject lists everyone's (local tools on the file, never the gateway).
    public func history(query: String? = nil, limit: Int = 50, subject: String?) async throws -> [HistoryEntry] {
        try await read { db in
            var request = Table("answer").select(sql: "id, question, refused, model, index_version, created_at")
            if let subject { request = request.filter(Column("subject") == subject) }
            if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
                request = request.filter(sql: "normalized_question LIKE ? ESCAPE '\\'", arguments: [q.normalizedQuestion.likeContainsPattern])
            }
            return try request.order(Column("created_at").desc).limit(max(1, min(limit, 1000))).fetchAll(db).map(Self.historyEntry)
        }
    }

    static func historyEntry(_ row: Row) -> HistoryEntry {
        let created: Double = row["created_at"]
        return HistoryEntry(
            answerID: row["id"], question: row["question"], refused: row["refused"], model: row["model"],
            indexVersion: row["index_version"], createdAt: Date(timeIntervalSince1970: created))
    }
}
