import Core
import Foundation
import GRDB

/// Answers given (history and replay).
extension BedsideDatabase {
    /// Saves an answer (assigning an id when it has none) and returns it with its id.
    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String? = nil) throws -> Answer {
        var a = answer
        if a.answerID == nil { a.answerID = Self.newID() }
        let saved = a
        let body = try Self.encode(saved)
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO answer(id, question, normalized_question, body, refused, model, index_version, subject, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [saved.answerID, saved.question, saved.question.normalizedQuestion, body, saved.refused,
                                 saved.model, saved.indexVersion, subject, saved.createdAt.timeIntervalSince1970])
        }
        return saved
    }

    public func answer(id: String) throws -> Answer? {
        try read { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ?", arguments: [id]) else { return nil }
            return try Self.decode(Answer.self, body)
        }
    }

    /// Past questions, newest first; `query` filters by substring (case-insensitive).
    public func history(query: String? = nil, limit: Int = 50) throws -> [HistoryEntry] {
        try read { db in
            var sql = "SELECT id, question, refused, model, index_version, created_at FROM answer"
            var args: [any DatabaseValueConvertible] = []
            if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
                sql += " WHERE normalized_question LIKE ? ESCAPE '\\'"
                let escaped = q.normalizedQuestion.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                args.append("%\(escaped)%")
            }
            sql += " ORDER BY created_at DESC LIMIT ?"
            args.append(max(1, min(limit, 1000)))
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.historyEntry)
        }
    }

    static func historyEntry(_ row: Row) -> HistoryEntry {
        let created: Double = row["created_at"]
        return HistoryEntry(answerID: row["id"], question: row["question"], refused: row["refused"], model: row["model"],
                            indexVersion: row["index_version"], createdAt: Date(timeIntervalSince1970: created))
    }

    /// The newest stored answer to the same normalised question (for offline replay).
    public func latestAnswer(normalizedQuestion: String) throws -> Answer? {
        try read { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE normalized_question = ? AND refused = 0 ORDER BY created_at DESC LIMIT 1", arguments: [normalizedQuestion]) else { return nil }
            return try Self.decode(Answer.self, body)
        }
    }

    static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(type, from: Data(text.utf8))
    }
}
