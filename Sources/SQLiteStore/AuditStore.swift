import Core
import Foundation
import GRDB
import SharedState

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
    /// once the row is durable. `sourcesJSON` is `AuditRow.sourcesJSON(record.sources)`, when known.
    public func appendAudit(_ record: AuditRecord, sourcesJSON: String?, done: @escaping GroupCommit<AuditRow>.Completion) {
        auditWriter.append(record, sourcesJSON: sourcesJSON, done: done)
    }

    /// Inserts rows at the end of the chain, in order, inside the caller's transaction, and
    /// moves the chain head (`audit_head`) once for the whole group. The chain continues from
    /// the head, not from the last row present: rows deleted from the end stay a visible gap.
    static func insertChained(_ db: GRDB.Database, _ rows: [AuditRow]) throws -> [Int64] {
        let last =
            try Row.fetchOne(db.cachedStatement(sql: "SELECT last_id AS id, last_hash AS hash FROM audit_head WHERE singleton = 1"))
            ?? Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"))
        let (chained, head) = AuditHead(lastID: last?["id"] ?? 0, lastHash: last?["hash"] ?? "").chaining(rows)
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO audit(id, at, request_id, subject, question, answer_id, sources, model, index_version, cached, stale, refused,
                                  outcome, ref_id, detail, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for row in chained {
            let r = row.record
            try insert.execute(arguments: [
                r.id, r.at.timeIntervalSince1970, r.requestID, r.subject, r.question, r.answerID, row.sources, r.model,
                r.indexVersion, r.cached, r.stale, r.refused, r.outcome, r.refID, r.detail, r.prevHash, r.hash,
            ])
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO audit_head(singleton, last_id, last_hash) VALUES (1, ?, ?)
                ON CONFLICT(singleton) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash
                """
        ).execute(arguments: [head.lastID, head.lastHash])
        return chained.map { $0.record.id ?? 0 }
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
        var request = Table<AuditRecord>("audit").all()
        if let since = q.since { request = request.filter(Column("at") >= since.timeIntervalSince1970) }
        if let until = q.until { request = request.filter(Column("at") < until.timeIntervalSince1970) }
        if let subject = q.subject { request = request.filter(Column("subject") == subject) }
        if let afterID { request = request.filter(Column("id") > afterID) }
        if let pageSize { return try request.order(Column("id").asc).limit(pageSize).fetchAll(db) }
        if let limit = q.limit { return try request.order(Column("id").desc).limit(max(1, limit)).fetchAll(db) }
        return try request.order(Column("id").asc).fetchAll(db)
    }

    /// Walks the whole chain from the first row and compares its end with the head record and
    /// `checkpoints` (signatures already checked), in one read snapshot. Throws
    /// `AuditChainBreak` naming the first row whose id, link or hash is not what its content
    /// and predecessor give, or the rows missing at the end (`AuditChainWalk`).
    public func verifyAuditChain(against checkpoints: [AuditCheckpoint]) async throws -> AuditChainSummary {
        try await read { db in
            var walk = AuditChainWalk(checkpoints: checkpoints)
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY id ASC")
            while walk.broken == nil, let row = try cursor.next() {
                walk.visit(AuditRow(record: AuditRecord(row: row), sources: row["sources"]))
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

/// The audit trail's writer: one commit function, an `asyncWrite` that calls back on the
/// writer queue; concurrent appends share one commit (`GroupCommit`).
final class AuditWriter: Sendable {
    private let group: GroupCommit<AuditRow>

    /// - Parameter grouped: false only to measure what grouping saves (`[store] audit_group_commit`):
    ///   then each row commits alone (SQLite runs one write at a time either way).
    init(pool: DatabasePool, path: String, grouped: Bool = true) {
        group = GroupCommit(maxBatch: grouped ? .max : 1) { rows, done in
            pool.asyncWrite(
                { db in try BedsideDatabase.insertChained(db, rows) },
                completion: { _, result in done(result.mapError { BedsideDatabase.mapError($0, path: path) }) })
        }
    }

    func append(_ record: AuditRecord) async throws -> Int64 {
        try await group.append(try AuditRow(record))
    }

    /// `done` is called exactly once: at once with the error when the sources cannot be
    /// encoded, else on the writer queue when the commit holding the row has ended.
    func append(_ record: AuditRecord, sourcesJSON: String?, done: @escaping GroupCommit<AuditRow>.Completion) {
        let row: AuditRow
        do { row = try sourcesJSON.map { AuditRow(record: record, sources: $0) } ?? AuditRow(record) } catch {
            return done(.failure(error))
        }
        group.append(row, done: done)
    }
}
