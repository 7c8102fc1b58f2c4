import Core
import Foundation
import GRDB
import SharedState

/// The response cache table, each answer kept whole as JSON in `body`. Policy (TTL, keys,
/// LRU, staleness) lives in the gateway.
extension BedsideDatabase {
    public func cacheEntry(key: String) async throws -> CacheEntry? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM cache_entry WHERE key = ?"), arguments: [key]).map(Self.cacheEntry)
        }
    }

    /// The newest entry of a lineage (same question, filters, top_k and model, any index version).
    public func latestCacheEntry(lineage: String) async throws -> CacheEntry? {
        try await read { db in
            let newest = try db.cachedStatement(sql: "SELECT * FROM cache_entry WHERE lineage = ? ORDER BY created_at DESC LIMIT 1")
            return try Row.fetchOne(newest, arguments: [lineage]).map(Self.cacheEntry)
        }
    }

    public func putCacheEntry(_ entry: CacheEntry) async throws {
        let arguments: StatementArguments = [
            entry.key, entry.lineage, entry.answer.answerID ?? "", try StoredJSON.encode(entry.answer), entry.indexVersion, entry.model,
            entry.createdAt.timeIntervalSince1970, entry.expiresAt.timeIntervalSince1970,
        ]
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO cache_entry(key, lineage, answer_id, body, index_version, model, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: arguments)
        }
    }

    static func cacheEntry(_ row: Row) throws -> CacheEntry {
        CacheEntry(
            key: row["key"], lineage: row["lineage"], answer: try StoredJSON.decode(Answer.self, row["body"]),
            indexVersion: row["index_version"], model: row["model"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
    }
}
