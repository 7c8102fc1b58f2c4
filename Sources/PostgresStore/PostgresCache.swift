import Core
import Foundation
import PostgresNIO
import SharedState

/// The response cache on PostgreSQL: one table every gateway reads and writes, so an answer
/// cached through one is served cached through the others. Policy stays in the gateway.
extension PostgresGatewayState {
    public func cacheEntry(key: String) async throws -> CacheEntry? {
        try await fetchCache("SELECT \(unescaped: Self.cacheColumns) FROM cache_entry WHERE key = \(key)")
    }

    /// The newest entry of a lineage (same question, any index version or model): stale-if-error.
    public func latestCacheEntry(lineage: String) async throws -> CacheEntry? {
        try await fetchCache(
            "SELECT \(unescaped: Self.cacheColumns) FROM cache_entry WHERE lineage = \(lineage) ORDER BY created_at DESC LIMIT 1")
    }

    /// Inserts or replaces the entry with this key.
    public func putCacheEntry(_ entry: CacheEntry) async throws {
        let body = try StoredJSON.encode(entry.answer)
        let answerID = entry.answer.answerID ?? ""
        let indexVersion = Int64(entry.indexVersion)
        let created = entry.createdAt.timeIntervalSince1970
        let expires = entry.expiresAt.timeIntervalSince1970
        try await run { client in
            try await client.query(
                """
                INSERT INTO cache_entry(key, lineage, answer_id, body, index_version, model, created_at, expires_at)
                VALUES (\(entry.key), \(entry.lineage), \(answerID), \(body), \(indexVersion), \(entry.model), \(created), \(expires))
                ON CONFLICT (key) DO UPDATE SET lineage = EXCLUDED.lineage, answer_id = EXCLUDED.answer_id, body = EXCLUDED.body,
                    index_version = EXCLUDED.index_version, model = EXCLUDED.model, created_at = EXCLUDED.created_at,
                    expires_at = EXCLUDED.expires_at
                """, logger: self.logger)
        }
    }

    /// Deletes entries that expired before `date` and are not the newest of their lineage
    /// (the newest is kept to serve stale-if-error). Returns how many were removed.
    @discardableResult
    public func purgeCache(expiredBefore date: Date) async throws -> Int {
        let cut = date.timeIntervalSince1970
        return try await run { client in
            let rows = try await client.query(
                """
                WITH gone AS (
                    DELETE FROM cache_entry WHERE expires_at < \(cut) AND created_at < (
                        SELECT max(created_at) FROM cache_entry AS newer WHERE newer.lineage = cache_entry.lineage)
                    RETURNING 1
                )
                SELECT count(*) FROM gone
                """, logger: self.logger)
            for try await n in rows.decode(Int64.self) { return Int(n) }
            return 0
        }
    }

    /// How many entries the cache holds.
    public func cacheCount() async throws -> Int {
        try await run { client in
            for try await n in try await client.query("SELECT count(*) FROM cache_entry", logger: self.logger).decode(Int64.self) {
                return Int(n)
            }
            return 0
        }
    }

    static let cacheColumns = "key, lineage, body, index_version, model, created_at, expires_at"

    private func fetchCache(_ query: PostgresQuery) async throws -> CacheEntry? {
        let row: (String, String, String, Int64, String, Double, Double)? = try await run { client in
            let rows = try await client.query(query, logger: self.logger).decode((String, String, String, Int64, String, Double, Double).self)
            for try await row in rows { return row }
            return nil
        }
        guard let (key, lineage, body, indexVersion, model, created, expires) = row else { return nil }
        return CacheEntry(
            key: key, lineage: lineage, answer: try StoredJSON.decode(Answer.self, body), indexVersion: Int(indexVersion), model: model,
            createdAt: Date(timeIntervalSince1970: created), expiresAt: Date(timeIntervalSince1970: expires))
    }
}
