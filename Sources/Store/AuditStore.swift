import Core
import Foundation
import GRDB

/// One audit row: who asked what, when, and what they were shown.
public struct AuditRecord: Codable, Sendable, Hashable {
    public var id: Int64?
    public var at: Date
    public var requestID: String?
    public var subject: String
    public var question: String
    public var answerID: String?
    /// Cited document ids with chunk ids, `doc#chunk`.
    public var sources: [String]
    public var model: String
    public var indexVersion: Int
    public var cached: Bool
    public var stale: Bool
    public var refused: Bool
    /// `answered`, `refused`, `error:<code>`, `incomplete`.
    public var outcome: String

    public init(id: Int64? = nil, at: Date = Date(), requestID: String? = nil, subject: String, question: String, answerID: String?,
                sources: [String], model: String, indexVersion: Int, cached: Bool = false, stale: Bool = false, refused: Bool = false,
                outcome: String = "answered") {
        self.id = id
        self.at = at
        self.requestID = requestID
        self.subject = subject
        self.question = question
        self.answerID = answerID
        self.sources = sources
        self.model = model
        self.indexVersion = indexVersion
        self.cached = cached
        self.stale = stale
        self.refused = refused
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey {
        case id, at, subject, question, sources, model, cached, stale, refused, outcome
        case requestID = "request_id"
        case answerID = "answer_id"
        case indexVersion = "index_version"
    }

    /// The audit record for an answer shown to `subject`.
    public init(answer: Answer, subject: String, requestID: String?) {
        self.init(requestID: requestID, subject: subject, question: answer.question, answerID: answer.answerID,
                  sources: answer.citations.map { "\($0.sourceID)#\($0.chunkID)" }, model: answer.model,
                  indexVersion: answer.indexVersion, cached: answer.cached, stale: answer.stale, refused: answer.refused,
                  outcome: answer.refused ? "refused" : (answer.incomplete ? "incomplete" : "answered"))
    }
}

/// The audit trail. Rows are committed (WAL, synchronous=NORMAL then a checkpoint-safe
/// commit) before the gateway sends its response.
extension BedsideDatabase {
    public func appendAudit(_ record: AuditRecord) throws {
        let sources = String(decoding: try JSONEncoder.sorted.encode(record.sources), as: UTF8.self)
        try write { db in try Self.insertAudit(db, record, sources) }
    }

    public func appendAudit(_ record: AuditRecord) async throws {
        let sources = String(decoding: try JSONEncoder.sorted.encode(record.sources), as: UTF8.self)
        try await write { db in try Self.insertAudit(db, record, sources) }
    }

    static func insertAudit(_ db: GRDB.Database, _ r: AuditRecord, _ sources: String) throws {
        try db.execute(sql: """
            INSERT INTO audit(at, request_id, subject, question, answer_id, sources, model, index_version, cached, stale, refused, outcome)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [r.at.timeIntervalSince1970, r.requestID, r.subject, r.question, r.answerID, sources, r.model,
                             r.indexVersion, r.cached, r.stale, r.refused, r.outcome])
    }

    public func auditRecords(limit: Int = 100) throws -> [AuditRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map { row in
                AuditRecord(id: row["id"], at: Date(timeIntervalSince1970: row["at"]), requestID: row["request_id"], subject: row["subject"],
                            question: row["question"], answerID: row["answer_id"],
                            sources: (try? JSONDecoder().decode([String].self, from: Data((row["sources"] as String).utf8))) ?? [],
                            model: row["model"], indexVersion: row["index_version"], cached: row["cached"], stale: row["stale"],
                            refused: row["refused"], outcome: row["outcome"])
            }
        }
    }

    public func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO issued_token(jti, subject, issued_at, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [jti, subject, issuedAt.timeIntervalSince1970, expiresAt.timeIntervalSince1970])
        }
    }
}
