import Core
import Foundation
import Logging
import PostgresNIO
import SharedState

/// The audit trail on PostgreSQL: the same rows, canonical content and SHA-256 chain as
/// SQLite's, one chain for every gateway on the database.
extension PostgresGatewayState {
    /// Appends a row at the end of the one chain and returns its id once committed. Rows that
    /// arrive while this process's previous append is in flight share the next transaction.
    @discardableResult
    public func appendAudit(_ record: AuditRecord) async throws -> Int64 {
        try failFastDuringOutage()
        do { return try await auditWriter.append(record) } catch { throw noteOutage(error) }
    }

    /// Rows matching `query`: newest first when it has a limit, else oldest first.
    public func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord] {
        try await fetchAudit(query, limit: query.limit.map { max(1, $0) }, descending: query.limit != nil)
    }

    /// Matching rows oldest first, `pageSize` at a time (one query per page, keyed on id).
    public func forEachAuditPage(_ query: AuditQuery, pageSize: Int, _ body: ([AuditRecord]) async throws -> Void) async throws {
        let size = max(1, pageSize)
        var after: Int64 = 0
        while true {
            let page = try await fetchAudit(query, after: after, limit: size)
            if page.isEmpty { return }
            try await body(page)
            after = page.last?.id ?? after
            if page.count < size { return }
        }
    }

    /// Rows matching `query` after id `after`, by id, at most `limit` (nil: all; `LIMIT NULL`).
    private func fetchAudit(_ query: AuditQuery, after: Int64 = 0, limit: Int?, descending: Bool = false) async throws -> [AuditRecord] {
        let since = query.since?.timeIntervalSince1970
        let until = query.until?.timeIntervalSince1970
        let subject = query.subject
        let q: PostgresQuery = """
            SELECT \(unescaped: Self.auditColumns) FROM audit
            WHERE (\(since)::float8 IS NULL OR at >= \(since)::float8) AND (\(until)::float8 IS NULL OR at < \(until)::float8)
              AND (\(subject)::text IS NULL OR subject = \(subject)::text) AND id > \(after)
            ORDER BY id \(unescaped: descending ? "DESC" : "ASC") LIMIT \(limit.map(Int64.init))::int8
            """
        return try await run { client in
            var out: [AuditRecord] = []
            for try await row in try await client.query(q, logger: self.logger) { out.append(try Self.auditRow(row).record) }
            return out
        }
    }

    /// Reads the whole chain and `audit_head` in one REPEATABLE READ snapshot (so appends
    /// committed meanwhile by any gateway are neither half seen nor taken for rows beyond the
    /// head) and checks them (`AuditChainWalk`, the same check and words as SQLite's).
    public func verifyAuditChain(against checkpoints: [AuditCheckpoint]) async throws -> AuditChainSummary {
        let logger = self.logger
        let (walk, head) = try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            var walk = AuditChainWalk(checkpoints: checkpoints)
            let rows = try await connection.query("SELECT \(unescaped: Self.auditColumns) FROM audit ORDER BY id ASC", logger: logger)
            for try await row in rows { walk.visit(try Self.auditRow(row)) }
            var head: AuditHead?
            let heads = try await connection.query("SELECT last_id, last_hash FROM audit_head WHERE singleton", logger: logger)
            for try await (id, hash) in heads.decode((Int64, String).self) { head = AuditHead(lastID: id, lastHash: hash) }
            return (walk, head)
        }
        return try walk.finish(head: head, headMissing: head == nil)
    }

    static let auditColumns =
        "id, at, request_id, subject, question, answer_id, sources, model, index_version, cached, stale, refused, outcome, ref_id, detail, prev_hash, hash"

    /// A row of `auditColumns` as a record, with its sources as stored (the hash covers that text).
    static func auditRow(_ row: PostgresRow) throws -> AuditRow {
        let r = row.makeRandomAccess()
        let sourcesText = try r[6].decode(String.self)
        let sources = (try? JSONDecoder().decode([String].self, from: Data(sourcesText.utf8))) ?? []
        let record = AuditRecord(
            id: try r[0].decode(Int64.self), at: Date(timeIntervalSince1970: try r[1].decode(Double.self)),
            requestID: try r[2].decode(String?.self), subject: try r[3].decode(String.self), question: try r[4].decode(String.self),
            answerID: try r[5].decode(String?.self), sources: sources, model: try r[7].decode(String.self),
            indexVersion: Int(try r[8].decode(Int64.self)), cached: try r[9].decode(Bool.self), stale: try r[10].decode(Bool.self),
            refused: try r[11].decode(Bool.self), outcome: try r[12].decode(String.self), refID: try r[13].decode(Int64?.self),
            detail: try r[14].decode(String.self), prevHash: try r[15].decode(String.self), hash: try r[16].decode(String.self))
        return AuditRow(record: record, sources: sourcesText)
    }
}

/// Group commit for the PostgreSQL audit trail. Callers wait until their row is committed;
/// rows that arrive while one transaction runs go together into the next. One transaction
/// is four round trips whatever its size: BEGIN, lock the chain's head row (`SELECT … FOR
/// UPDATE`, which serializes appends across gateways and returns the head as committed by
/// the last of them), one INSERT of every row (arrays unnested) that also moves the head,
/// and COMMIT.
final class PostgresAuditWriter: Sendable {
    /// Rows in one transaction at most (the rest wait for the next).
    static let maxBatch = 500

    /// Its `committed` counts this store's append transactions and the rows they held.
    let group: GroupCommit<AuditRow>

    init(client: PostgresClient, target: PostgresTarget, logger: Logger, timeout: Duration) {
        self.group = GroupCommit(maxBatch: Self.maxBatch) { rows in
            do {
                return try await PostgresGatewayState.withDeadline(timeout, place: target.place) {
                    try await Self.insert(rows, client: client, logger: logger)
                }
            } catch {
                throw target.mapError(error)
            }
        }
    }

    func append(_ record: AuditRecord) async throws -> Int64 {
        try await group.append(try AuditRow(record.storable()))
    }

    /// Inserts `rows` at the end of the chain in one transaction.
    private static func insert(_ rows: [AuditRow], client: PostgresClient, logger: Logger) async throws -> [Int64] {
        return try await client.withTransaction(logger: logger) { connection -> [Int64] in
            var head = AuditHead.start
            let heads = try await connection.query(
                "SELECT last_id, last_hash FROM audit_head WHERE singleton FOR UPDATE", logger: logger)
            for try await (id, hash) in heads.decode((Int64, String).self) { head = AuditHead(lastID: id, lastHash: hash) }
            let (chained, next) = head.chaining(rows)
            let records = chained.map(\.record)
            let ids = records.map { $0.id ?? 0 }
            let ats = records.map(\.at.timeIntervalSince1970)
            let requestIDs = records.map { $0.requestID ?? "" }
            let requestIDNull = records.map { $0.requestID == nil }
            let subjects = records.map(\.subject)
            let questions = records.map(\.question)
            let answerIDs = records.map { $0.answerID ?? "" }
            let answerIDNull = records.map { $0.answerID == nil }
            let sources = chained.map(\.sources)
            let models = records.map(\.model)
            let indexVersions = records.map { Int64($0.indexVersion) }
            let cached = records.map(\.cached)
            let stale = records.map(\.stale)
            let refused = records.map(\.refused)
            let outcomes = records.map(\.outcome)
            let refIDs = records.map { $0.refID ?? 0 }
            let refIDNull = records.map { $0.refID == nil }
            let details = records.map(\.detail)
            let prevHashes = records.map(\.prevHash)
            let hashes = records.map(\.hash)
            try await connection.query(
                """
                WITH ins AS (
                    INSERT INTO audit(id, at, request_id, subject, question, answer_id, sources, model, index_version, cached, stale,
                                      refused, outcome, ref_id, detail, prev_hash, hash)
                    SELECT u.id, u.at, CASE WHEN u.rid_null THEN NULL ELSE u.rid END, u.subject, u.question,
                           CASE WHEN u.aid_null THEN NULL ELSE u.aid END, u.sources, u.model, u.index_version, u.cached, u.stale,
                           u.refused, u.outcome, CASE WHEN u.ref_null THEN NULL ELSE u.ref END, u.detail, u.prev_hash, u.hash
                    FROM unnest(\(ids)::int8[], \(ats)::float8[], \(requestIDs)::text[], \(requestIDNull)::bool[], \(subjects)::text[],
                                \(questions)::text[], \(answerIDs)::text[], \(answerIDNull)::bool[], \(sources)::text[], \(models)::text[],
                                \(indexVersions)::int8[], \(cached)::bool[], \(stale)::bool[], \(refused)::bool[], \(outcomes)::text[],
                                \(refIDs)::int8[], \(refIDNull)::bool[], \(details)::text[], \(prevHashes)::text[], \(hashes)::text[])
                         AS u(id, at, rid, rid_null, subject, question, aid, aid_null, sources, model, index_version, cached, stale,
                              refused, outcome, ref, ref_null, detail, prev_hash, hash)
                    RETURNING 1
                )
                UPDATE audit_head SET last_id = \(next.lastID), last_hash = \(next.lastHash) WHERE singleton
                """, logger: logger)
            return ids
        }
    }
}
