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
        let q: PostgresQuery = """
            INSERT INTO cache_entry(key, lineage, answer_id, body, index_version, model, created_at, expires_at)
            VALUES (\(entry.key), \(entry.lineage), \(entry.answer.answerID ?? ""), \(body), \(Int64(entry.indexVersion)), \(entry.model),
                    \(entry.createdAt.timeIntervalSince1970), \(entry.expiresAt.timeIntervalSince1970))
            ON CONFLICT (key) DO UPDATE SET lineage = EXCLUDED.lineage, answer_id = EXCLUDED.answer_id, body = EXCLUDED.body,
                index_version = EXCLUDED.index_version, model = EXCLUDED.model, created_at = EXCLUDED.created_at,
                expires_at = EXCLUDED.expires_at
            """
        try await run { client in try await client.query(q, logger: self.logger) }
    }

    static let cacheColumns = "key, lineage, body, index_version, model, created_at, expires_at"

    private func fetchCache(_ query: PostgresQuery) async throws -> CacheEntry? {
        let found = try await rows(query, (String, String, String, Int64, String, Double, Double).self)
        guard let (key, lineage, body, indexVersion, model, created, expires) = found.first else { return nil }
        return CacheEntry(
            key: key, lineage: lineage, answer: try StoredJSON.decode(Answer.self, body), indexVersion: Int(indexVersion), model: model,
            createdAt: Date(timeIntervalSince1970: created), expiresAt: Date(timeIntervalSince1970: expires))
    }
}
