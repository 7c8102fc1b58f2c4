import Core
import Foundation
import GRDB
import SharedState

/// A `cache_entry` row (the answer kept whole as JSON in `body`).
struct CacheRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "cache_entry"
    var key: String
    var lineage: String
    var answerID: String
    var body: String
    var indexVersion: Int
    var model: String
    var createdAt: Double
    var expiresAt: Double

    enum CodingKeys: String, CodingKey {
        case key, lineage, body, model
        case answerID = "answer_id"
        case indexVersion = "index_version"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }

    enum Columns {
        static let lineage = Column(CodingKeys.lineage)
        static let createdAt = Column(CodingKeys.createdAt)
    }

    func entry() throws -> CacheEntry {
        CacheEntry(
            key: key, lineage: lineage, answer: try BedsideDatabase.decode(Answer.self, body), indexVersion: indexVersion, model: model,
            createdAt: Date(timeIntervalSince1970: createdAt), expiresAt: Date(timeIntervalSince1970: expiresAt))
    }
}

/// The response cache table. Policy (TTL, keys, LRU, staleness) lives in the gateway.
extension BedsideDatabase {
    public func cacheEntry(key: String) async throws -> CacheEntry? {
        try await read { db in try CacheRow.fetchOne(db, key: key)?.entry() }
    }

    /// The newest entry of a lineage (same question, filters, top_k and model, any index version).
    public func latestCacheEntry(lineage: String) async throws -> CacheEntry? {
        try await read { db in
            try CacheRow.filter(CacheRow.Columns.lineage == lineage).order(CacheRow.Columns.createdAt.desc).fetchOne(db)?.entry()
        }
    }

    public func putCacheEntry(_ entry: CacheEntry) async throws {
        let row = CacheRow(
            key: entry.key, lineage: entry.lineage, answerID: entry.answer.answerID ?? "", body: try Self.encode(entry.answer),
            indexVersion: entry.indexVersion, model: entry.model, createdAt: entry.createdAt.timeIntervalSince1970,
            expiresAt: entry.expiresAt.timeIntervalSince1970)
        try await write { db in try row.insert(db, onConflict: .replace) }
    }

    /// Deletes entries that expired before `date` and are not the newest of their lineage
    /// (the newest is kept to serve stale-if-error). Returns how many were removed.
    @discardableResult
    public func purgeCache(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    DELETE FROM cache_entry WHERE expires_at < ? AND created_at < (
                        SELECT max(created_at) FROM cache_entry AS newer WHERE newer.lineage = cache_entry.lineage)
                    """, arguments: [date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    public func cacheCount() async throws -> Int {
        try await read { db in try CacheRow.fetchCount(db) }
    }
}
