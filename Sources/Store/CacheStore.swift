import Core
import Foundation
import GRDB

/// A cached answer with its bookkeeping.
public struct CacheEntry: Sendable, Hashable {
    public var key: String
    public var lineage: String
    public var answer: Answer
    public var indexVersion: Int
    public var model: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(key: String, lineage: String, answer: Answer, indexVersion: Int, model: String, createdAt: Date, expiresAt: Date) {
        self.key = key
        self.lineage = lineage
        self.answer = answer
        self.indexVersion = indexVersion
        self.model = model
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The response cache table. Policy (TTL, keys, LRU, staleness) lives in the gateway.
extension BedsideDatabase {
    public func cacheEntry(key: String) throws -> CacheEntry? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM cache_entry WHERE key = ?", arguments: [key]).map(Self.cacheEntry) }
    }

    public func cacheEntry(key: String) async throws -> CacheEntry? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM cache_entry WHERE key = ?", arguments: [key]).map(Self.cacheEntry) }
    }

    /// The newest entry of a lineage (same question, filters, top_k and model, any index version).
    public func latestCacheEntry(lineage: String) throws -> CacheEntry? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cache_entry WHERE lineage = ? ORDER BY created_at DESC LIMIT 1", arguments: [lineage]).map(Self.cacheEntry)
        }
    }

    public func putCacheEntry(_ entry: CacheEntry) throws {
        let body = try Self.encode(entry.answer)
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO cache_entry(key, lineage, answer_id, body, index_version, model, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [entry.key, entry.lineage, entry.answer.answerID ?? "", body, entry.indexVersion, entry.model,
                                 entry.createdAt.timeIntervalSince1970, entry.expiresAt.timeIntervalSince1970])
        }
    }

    /// Deletes entries that expired before `date` and are not the newest of their lineage
    /// (the newest is kept to serve stale-if-error). Returns how many were removed.
    @discardableResult
    public func purgeCache(expiredBefore date: Date) throws -> Int {
        try write { db in
            try db.execute(sql: """
                DELETE FROM cache_entry WHERE expires_at < ? AND created_at < (
                    SELECT max(created_at) FROM cache_entry AS newer WHERE newer.lineage = cache_entry.lineage)
                """, arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func cacheCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cache_entry") ?? 0 }
    }

    static func cacheEntry(_ row: Row) throws -> CacheEntry {
        CacheEntry(key: row["key"], lineage: row["lineage"], answer: try decode(Answer.self, row["body"]),
                   indexVersion: row["index_version"], model: row["model"],
                   createdAt: Date(timeIntervalSince1970: row["created_at"]), expiresAt: Date(timeIntervalSince1970: row["expires_at"]))
    }
}
