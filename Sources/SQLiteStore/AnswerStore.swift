import Core
import Foundation
import GRDB
import SharedState

/// Answers given (history and replay). Every answer belongs to the subject it was given
/// to; reads take the subject and never return another subject's answers.
/// An `answer` row: the Answer wire object whole in `body`, with the columns history filters on.
struct AnswerRow: Codable, PersistableRecord {
    static let databaseTableName = "answer"
    var id: String
    var question: String
    var normalizedQuestion: String
    var body: String
    var refused: Bool
    var model: String
    var indexVersion: Int
    var subject: String?
    var createdAt: Double
    var originID: String?

    enum CodingKeys: String, CodingKey {
        case id, question, body, refused, model, subject
        case normalizedQuestion = "normalized_question"
        case indexVersion = "index_version"
        case createdAt = "created_at"
        case originID = "origin_id"
    }
}

extension BedsideDatabase {
    /// Saves an answer (assigning an id when it has none) for `subject` and returns it with its id.
    /// A nil `subject` is for local tools on the file, never the gateway.
    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String?, originID: String? = nil) async throws -> Answer {
        var saved = answer
        if saved.answerID == nil { saved.answerID = Self.newID() }
        let row = AnswerRow(
            id: saved.answerID ?? "", question: saved.question, normalizedQuestion: saved.question.normalizedQuestion,
            body: try Self.encode(saved), refused: saved.refused, model: saved.model, indexVersion: saved.indexVersion,
            subject: subject, createdAt: saved.createdAt.timeIntervalSince1970, originID: originID)
        try await write { db in try row.insert(db, onConflict: .replace) }
        return saved
    }

    /// The answer with `id` when it belongs to `subject` (nil `subject`: any, for local tools).
    public func answer(id: String, subject: String?) async throws -> Answer? {
        try await read { db in
            let body: String?
            if let subject {
                body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ? AND subject = ?", arguments: [id, subject])
            } else {
                body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ?", arguments: [id])
            }
            return try body.map { try Self.decode(Answer.self, $0) }
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
            ).map { try Self.decode(Answer.self, $0) }
        }
    }

    /// Past questions of `subject`, newest first; `query` filters by substring (case-insensitive).
    /// A nil subject lists everyone's (local tools on the file, never the gateway).
    public func history(query: String? = nil, limit: Int = 50, subject: String?) async throws -> [HistoryEntry] {
        try await read { db in
            var sql = "SELECT id, question, refused, model, index_version, created_at FROM answer"
            var conditions: [String] = []
            var args: [any DatabaseValueConvertible] = []
            if let subject {
                conditions.append("subject = ?")
                args.append(subject)
            }
            if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
                conditions.append("normalized_question LIKE ? ESCAPE '\\'")
                args.append(Self.likePattern(q.normalizedQuestion))
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY created_at DESC LIMIT ?"
            args.append(max(1, min(limit, 1000)))
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.historyEntry)
        }
    }

    /// `%text%` for `LIKE ? ESCAPE '\'`, with the wildcards in `text` escaped.
    static func likePattern(_ text: String) -> String {
        "%"
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    static func historyEntry(_ row: Row) -> HistoryEntry {
        let created: Double = row["created_at"]
        return HistoryEntry(
            answerID: row["id"], question: row["question"], refused: row["refused"], model: row["model"],
            indexVersion: row["index_version"], createdAt: Date(timeIntervalSince1970: created))
    }

    /// The newest stored answer to the same normalised question (for offline replay).
    public func latestAnswer(normalizedQuestion: String) async throws -> Answer? {
        try await read { db in
            let sql = "SELECT body FROM answer WHERE normalized_question = ? AND refused = 0 ORDER BY created_at DESC LIMIT 1"
            return try String.fetchOne(db, sql: sql, arguments: [normalizedQuestion]).map { try Self.decode(Answer.self, $0) }
        }
    }

    static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    static func encode<T: Encodable>(_ value: T) throws -> String { try StoredJSON.encode(value) }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try StoredJSON.decode(type, text) }
}
