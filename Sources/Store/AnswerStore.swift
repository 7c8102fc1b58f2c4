import Core
import Foundation
import GRDB

/// Answers given (history and replay). Every answer belongs to the subject it was given
/// to; reads take the subject and never return another subject's answers.
extension BedsideDatabase {
    /// Saves an answer (assigning an id when it has none) for `subject` and returns it with its id.
    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String? = nil, originID: String? = nil) throws -> Answer {
        let (saved, body) = try Self.prepareForSave(answer)
        try write { db in try Self.insertAnswer(db, saved, body: body, subject: subject, originID: originID) }
        return saved
    }

    @discardableResult
    public func saveAnswer(_ answer: Answer, subject: String?, originID: String? = nil) async throws -> Answer {
        let (saved, body) = try Self.prepareForSave(answer)
        try await write { db in try Self.insertAnswer(db, saved, body: body, subject: subject, originID: originID) }
        return saved
    }

    static func prepareForSave(_ answer: Answer) throws -> (Answer, String) {
        var a = answer
        if a.answerID == nil { a.answerID = newID() }
        return (a, try encode(a))
    }

    static func insertAnswer(_ db: GRDB.Database, _ saved: Answer, body: String, subject: String?, originID: String?) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO answer(id, question, normalized_question, body, refused, model, index_version, subject, created_at, origin_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [saved.answerID, saved.question, saved.question.normalizedQuestion, body, saved.refused,
                             saved.model, saved.indexVersion, subject, saved.createdAt.timeIntervalSince1970, originID])
    }

    /// The answer with `id` when it belongs to `subject` (nil `subject`: any, for local tools).
    public func answer(id: String, subject: String? = nil) throws -> Answer? {
        try read { db in try Self.fetchAnswer(db, id: id, subject: subject) }
    }

    public func answer(id: String, subject: String?) async throws -> Answer? {
        try await read { db in try Self.fetchAnswer(db, id: id, subject: subject) }
    }

    static func fetchAnswer(_ db: GRDB.Database, id: String, subject: String?) throws -> Answer? {
        let body: String?
        if let subject {
            body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ? AND subject = ?", arguments: [id, subject])
        } else {
            body = try String.fetchOne(db, sql: "SELECT body FROM answer WHERE id = ?", arguments: [id])
        }
        return try body.map { try decode(Answer.self, $0) }
    }

    /// The id of `subject`'s own record of the answer `originID`: the answer itself when it
    /// is theirs, or the copy made when it was served to them from the cache.
    public func ownAnswerID(originID: String, subject: String) async throws -> String? {
        try await read { db in
            try String.fetchOne(db, sql: """
                SELECT id FROM answer WHERE (id = ? AND subject = ?) OR (origin_id = ? AND subject = ?) LIMIT 1
                """, arguments: [originID, subject, originID, subject])
        }
    }

    /// Past questions of `subject`, newest first; `query` filters by substring (case-insensitive).
    /// A nil subject lists everyone's (local tools on the file, never the gateway).
    public func history(query: String? = nil, limit: Int = 50, subject: String? = nil) throws -> [HistoryEntry] {
        try read { db in try Self.fetchHistory(db, query: query, limit: limit, subject: subject) }
    }

    public func history(query: String?, limit: Int, subject: String?) async throws -> [HistoryEntry] {
        try await read { db in try Self.fetchHistory(db, query: query, limit: limit, subject: subject) }
    }

    static func fetchHistory(_ db: GRDB.Database, query: String?, limit: Int, subject: String?) throws -> [HistoryEntry] {
        var sql = "SELECT id, question, refused, model, index_version, created_at FROM answer"
        var conditions: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let subject {
            conditions.append("subject = ?")
            args.append(subject)
        }
        if let q = query?.trimmingCharacters(in: .whitespaces), !q.isEmpty {
            conditions.append("normalized_question LIKE ? ESCAPE '\\'")
            let escaped = q.normalizedQuestion.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            args.append("%\(escaped)%")
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY created_at DESC LIMIT ?"
        args.append(max(1, min(limit, 1000)))
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.historyEntry)
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
