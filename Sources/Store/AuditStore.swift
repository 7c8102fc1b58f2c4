import Core
import Crypto
import Foundation
import GRDB

/// One audit row: who asked what, when, and what they were shown.
///
/// Rows are append-only (triggers refuse UPDATE and DELETE) and chained: `hash` is the
/// SHA-256 of the previous row's hash and this row's content, so an edited, removed or
/// reordered row breaks the chain at that row (`BedsideDatabase.verifyAuditChain`).
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
    /// `answered`, `refused`, `error:<code>`, `incomplete`, `replay`, `streaming` (a stream
    /// opened; a later row with `ref_id` completes it), `disconnected` (the client went away).
    public var outcome: String
    /// For a row that completes another (a stream's outcome): that row's id.
    public var refID: Int64?
    /// Free-form facts about the outcome, e.g. how many answer bytes a disconnected client was sent.
    public var detail: String
    /// The chain: the previous row's hash and this row's (hex SHA-256); set when written.
    public var prevHash: String
    public var hash: String

    public init(
        id: Int64? = nil, at: Date = Date(), requestID: String? = nil, subject: String, question: String, answerID: String?,
        sources: [String], model: String, indexVersion: Int, cached: Bool = false, stale: Bool = false, refused: Bool = false,
        outcome: String = "answered", refID: Int64? = nil, detail: String = "", prevHash: String = "", hash: String = ""
    ) {
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
        self.refID = refID
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case id, at, subject, question, sources, model, cached, stale, refused, outcome, detail, hash
        case requestID = "request_id"
        case answerID = "answer_id"
        case indexVersion = "index_version"
        case refID = "ref_id"
        case prevHash = "prev_hash"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        at = try c.decode(Date.self, forKey: .at)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        subject = try c.decode(String.self, forKey: .subject)
        question = try c.decode(String.self, forKey: .question)
        answerID = try c.decodeIfPresent(String.self, forKey: .answerID)
        sources = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        indexVersion = try c.decodeIfPresent(Int.self, forKey: .indexVersion) ?? 0
        cached = try c.decodeIfPresent(Bool.self, forKey: .cached) ?? false
        stale = try c.decodeIfPresent(Bool.self, forKey: .stale) ?? false
        refused = try c.decodeIfPresent(Bool.self, forKey: .refused) ?? false
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome) ?? ""
        refID = try c.decodeIfPresent(Int64.self, forKey: .refID)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
        prevHash = try c.decodeIfPresent(String.self, forKey: .prevHash) ?? ""
        hash = try c.decodeIfPresent(String.self, forKey: .hash) ?? ""
    }

    /// The audit record for an answer shown to `subject`.
    public init(answer: Answer, subject: String, requestID: String?) {
        self.init(
            requestID: requestID, subject: subject, question: answer.question, answerID: answer.answerID,
            sources: answer.citations.map { "\($0.sourceID)#\($0.chunkID)" }, model: answer.model,
            indexVersion: answer.indexVersion, cached: answer.cached, stale: answer.stale, refused: answer.refused,
            outcome: answer.refused ? "refused" : (answer.incomplete ? "incomplete" : "answered"))
    }

    /// The record as SQLite can keep it: a NUL would cut a text column short (strings are
    /// bound as C strings), so it is stored as U+FFFD, before hashing, so the hash and the
    /// stored row always agree. The gateway refuses such questions before they get here.
    public func storable() -> AuditRecord {
        func clean(_ s: String) -> String { s.utf8.contains(0) ? s.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : s }
        var r = self
        r.subject = clean(subject)
        r.question = clean(question)
        r.requestID = requestID.map(clean)
        r.answerID = answerID.map(clean)
        r.model = clean(model)
        r.outcome = clean(outcome)
        r.detail = clean(detail)
        r.sources = sources.map(clean)
        return r
    }

    /// What the chain hashes for this row: every column but the hashes, in a fixed order,
    /// each length-prefixed so no two different rows spell the same bytes.
    func canonicalContent(id: Int64, sourcesJSON: String) -> [UInt8] {
        let fields: [String] = [
            String(id), String(at.timeIntervalSince1970.bitPattern), requestID ?? "\u{1}", subject, question, answerID ?? "\u{1}",
            sourcesJSON, model, String(indexVersion), cached ? "1" : "0", stale ? "1" : "0", refused ? "1" : "0", outcome,
            refID.map(String.init) ?? "\u{1}", detail,
        ]
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.utf8.count + 6 })
        for f in fields {
            out.append(contentsOf: String(f.utf8.count).utf8)
            out.append(0x3A)
            out.append(contentsOf: f.utf8)
        }
        return out
    }

    /// `hash` for this row after `previous`.
    public func chainHash(id: Int64, previous: String, sourcesJSON: String) -> String {
        var h = SHA256()
        h.update(data: Array(previous.utf8))
        h.update(data: [0x0A])
        h.update(data: canonicalContent(id: id, sourcesJSON: sourcesJSON))
        return Self.hex(h.finalize())
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex (`String(format:)` per byte cost a fifth of the cached path's CPU).
    static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// An `audit` row read back (`sources` is JSON text; NULL columns of old rows read as empty).
extension AuditRecord: FetchableRecord {
    public init(row: Row) {
        self.init(
            id: row["id"], at: Date(timeIntervalSince1970: row["at"]), requestID: row["request_id"], subject: row["subject"],
            question: row["question"], answerID: row["answer_id"],
            sources: (try? JSONDecoder().decode([String].self, from: Data((row["sources"] as String).utf8))) ?? [],
            model: row["model"], indexVersion: row["index_version"], cached: row["cached"], stale: row["stale"],
            refused: row["refused"], outcome: row["outcome"], refID: row["ref_id"], detail: row["detail"] ?? "",
            prevHash: row["prev_hash"] ?? "", hash: row["hash"] ?? "")
    }
}

/// Which audit rows to read.
public struct AuditQuery: Sendable, Hashable {
    public var since: Date?
    public var until: Date?
    public var subject: String?
    /// Newest first with a limit (the `bedside audit` table), or oldest first without (exports).
    public var limit: Int?

    public init(since: Date? = nil, until: Date? = nil, subject: String? = nil, limit: Int? = nil) {
        self.since = since
        self.until = until
        self.subject = subject
        self.limit = limit
    }
}

/// Where the audit chain first breaks.
public struct AuditChainBreak: Sendable, Hashable, Error {
    public var rowID: Int64
    public var reason: String

    public init(rowID: Int64, reason: String) {
        self.rowID = rowID
        self.reason = reason
    }
}

/// The audit trail: append-only, hash-chained, committed with `synchronous = FULL` before
/// the gateway answers. Concurrent appends share one commit (`AuditWriter`).
extension BedsideDatabase {
    /// Appends a row and returns its id once it is durable. Rows that arrive while another
    /// commit is in flight are committed together with the next one.
    @discardableResult
    public func appendAudit(_ record: AuditRecord) async throws -> Int64 {
        try await auditWriter.append(record)
    }

    /// The same for code that cannot await (the gateway's event-loop path): `done` gets the id
    /// once the row is durable. `sourcesJSON` is `sourcesJSON(record.sources)`, when known.
    public func appendAudit(_ record: AuditRecord, sourcesJSON: String?, done: @escaping GroupCommit<AuditRow>.Completion) {
        auditWriter.append(record, sourcesJSON: sourcesJSON, done: done)
    }

    public static func sourcesJSON(_ sources: [String]) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(sources), as: UTF8.self)
    }

    /// Inserts rows at the end of the chain, in order, inside the caller's transaction, and
    /// moves the chain head (`audit_head`) once for the whole group. The chain continues from
    /// the head, not from the last row present: rows deleted from the end stay a visible gap.
    static func insertChained(_ db: GRDB.Database, _ rows: [(AuditRecord, String)]) throws -> [Int64] {
        let last =
            try Row.fetchOne(db.cachedStatement(sql: "SELECT last_id AS id, last_hash AS hash FROM audit_head WHERE singleton = 1"))
            ?? Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"))
        var previousID: Int64 = last?["id"] ?? 0
        var previousHash: String = last?["hash"] ?? ""
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        for (record, sources) in rows {
            let r = record.storable()
            let id = previousID + 1
            let hash = r.chainHash(id: id, previous: previousHash, sourcesJSON: sources)
            try db.cachedStatement(
                sql: """
                    INSERT INTO audit(id, at, request_id, subject, question, answer_id, sources, model, index_version, cached, stale, refused,
                                      outcome, ref_id, detail, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                id, r.at.timeIntervalSince1970, r.requestID, r.subject, r.question, r.answerID, sources, r.model,
                r.indexVersion, r.cached, r.stale, r.refused, r.outcome, r.refID, r.detail, previousHash, hash,
            ])
            ids.append(id)
            previousID = id
            previousHash = hash
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_head(singleton, last_id, last_hash) VALUES (1, ?, ?)
                ON CONFLICT(singleton) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash
                """
        ).execute(arguments: [previousID, previousHash])
        return ids
    }

    /// Rows matching `query`: newest first when it has a limit, else oldest first.
    public func auditRecords(_ query: AuditQuery = AuditQuery(limit: 100)) async throws -> [AuditRecord] {
        try await read { db in try Self.fetchAudit(db, query) }
    }

    /// Calls `body` for each matching row, oldest first, in pages, so an export of any size
    /// holds one page in memory (for streaming `GET /v1/audit`).
    public func forEachAuditPage(_ query: AuditQuery, pageSize: Int = 500, _ body: ([AuditRecord]) async throws -> Void) async throws {
        var after: Int64 = 0
        while true {
            let cursor = after
            let page = try await read { db in try Self.fetchAudit(db, query, afterID: cursor, pageSize: pageSize) }
            if page.isEmpty { return }
            try await body(page)
            after = page.last?.id ?? after
            if page.count < pageSize { return }
        }
    }

    static func fetchAudit(_ db: GRDB.Database, _ q: AuditQuery, afterID: Int64? = nil, pageSize: Int? = nil) throws -> [AuditRecord] {
        var conditions: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let since = q.since {
            conditions.append("at >= ?")
            args.append(since.timeIntervalSince1970)
        }
        if let until = q.until {
            conditions.append("at < ?")
            args.append(until.timeIntervalSince1970)
        }
        if let subject = q.subject {
            conditions.append("subject = ?")
            args.append(subject)
        }
        if let afterID {
            conditions.append("id > ?")
            args.append(afterID)
        }
        var sql = "SELECT * FROM audit"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let pageSize {
            sql += " ORDER BY id ASC LIMIT ?"
            args.append(pageSize)
        } else if let limit = q.limit {
            sql += " ORDER BY id DESC LIMIT ?"
            args.append(max(1, limit))
        } else {
            sql += " ORDER BY id ASC"
        }
        return try AuditRecord.fetchAll(db, sql: sql, arguments: StatementArguments(args))
    }

    /// Walks the whole chain from the first row and compares its end with the head record and
    /// `checkpoints` (signatures already checked), in one read snapshot. Throws
    /// `AuditChainBreak` naming the first row whose id, link or hash is not what its content
    /// and predecessor give, or the rows missing at the end (`AuditChainWalk`).
    public func verifyAuditChain(against checkpoints: [AuditCheckpoint]) async throws -> AuditChainSummary {
        try await read { db in
            var walk = AuditChainWalk(checkpoints: checkpoints)
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY id ASC")
            while let row = try cursor.next() {
                try walk.visit(AuditRecord(row: row), sourcesJSON: row["sources"])
            }
            // A file not yet migrated has no head; one migrated whose head table or row is gone was tampered with.
            let migrated = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = 'v3-audit-head')")
            guard try db.tableExists("audit_head") else { return try walk.finish(head: nil, headMissing: migrated == true) }
            let head = try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM audit_head WHERE singleton = 1").map {
                AuditHead(lastID: $0["last_id"], lastHash: $0["last_hash"])
            }
            return try walk.finish(head: head, headMissing: head == nil)
        }
    }

    public func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date, roles: [String] = []) async throws {
        let rolesJSON = String(decoding: try JSONEncoder.sorted.encode(roles), as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO issued_token(jti, subject, issued_at, expires_at, roles) VALUES (?, ?, ?, ?, ?)",
                arguments: [jti, subject, issuedAt.timeIntervalSince1970, expiresAt.timeIntervalSince1970, rolesJSON])
        }
    }
}

/// The audit trail's writer: concurrent appends share one commit (`GroupCommit`).
final class AuditWriter: Sendable {
    private let pool: DatabasePool
    private let path: String
    /// Off only to measure what grouping saves (`BEDSIDE_AUDIT_GROUP_COMMIT=0`): each row commits alone.
    private let grouped: Bool
    private let group: GroupCommit<AuditRow>

    init(pool: DatabasePool, path: String, grouped: Bool = true) {
        self.pool = pool
        self.path = path
        self.grouped = grouped
        self.group = GroupCommit { rows, done in
            pool.asyncWrite({ db in try BedsideDatabase.insertChained(db, rows.map { ($0.record, $0.sources) }) }) { _, result in
                done(result.mapError { BedsideDatabase.mapError($0, path: path) })
            }
        }
    }

    func append(_ record: AuditRecord) async throws -> Int64 {
        let row = AuditRow(record: record, sources: try BedsideDatabase.sourcesJSON(record.sources))
        if !grouped { return try await Self.insert([row], pool: pool, path: path)[0] }
        return try await group.append(row)
    }

    func append(_ record: AuditRecord, sourcesJSON: String?, done: @escaping GroupCommit<AuditRow>.Completion) {
        let row: AuditRow
        do { row = AuditRow(record: record, sources: try sourcesJSON ?? BedsideDatabase.sourcesJSON(record.sources)) } catch {
            return done(.failure(error))
        }
        if grouped { return group.append(row, done: done) }
        let (pool, path) = (pool, path)
        Task {
            do { done(.success(try await Self.insert([row], pool: pool, path: path)[0])) } catch { done(.failure(error)) }
        }
    }

    private static func insert(_ rows: [AuditRow], pool: DatabasePool, path: String) async throws -> [Int64] {
        do { return try await pool.write { db in try BedsideDatabase.insertChained(db, rows.map { ($0.record, $0.sources) }) } } catch {
            throw BedsideDatabase.mapError(error, path: path)
        }
    }
}

/// A record waiting to be chained, with its sources already as the JSON the chain hashes.
public struct AuditRow: Sendable {
    public var record: AuditRecord
    public var sources: String

    public init(record: AuditRecord, sources: String) {
        self.record = record
        self.sources = sources
    }
}
