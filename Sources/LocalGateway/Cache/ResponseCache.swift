import Core
import Foundation
import Logging
import SQLiteStore
import SharedState

/// Cache policy over Store's `cache_entry` table: TTL, the hot layer in front (a
/// `BoundedCache` of entries with their JSON already encoded), and the stale-if-error
/// fallback. A read failure is a miss, never an error for the client.
final class ResponseCache: Sendable {
    /// An entry of the hot layer: the stored answer and its JSON as a hit serves it.
    struct Hot: Sendable {
        var entry: CacheEntry
        var encoded: EncodedAnswer?
        /// The sources of the audit row of a hit, as the chain hashes them (the same on every hit).
        var auditSources: String?

        init(_ entry: CacheEntry) {
            self.entry = entry
            encoded = try? EncodedAnswer(entry.answer)
            auditSources = try? AuditRow.sourcesJSON(AuditRecord(answer: entry.answer, subject: "", requestID: nil).sources)
        }
    }

    let database: any GatewayStateStore
    let hot: BoundedCache<String, Hot>
    let ttl: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger

    init(database: any GatewayStateStore, lruSize: Int, ttl: TimeInterval, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.database = database
        self.hot = BoundedCache(capacity: lruSize)
        self.ttl = ttl
        self.now = now
        self.logger = logger
    }

    /// An unexpired entry for exactly this key (same index version and model).
    func fresh(_ key: CacheKey) async -> Hot? {
        let t = now()
        if let known = hot.get(key.key) { return known.entry.expiresAt > t ? known : expire(key) }
        do {
            guard let entry = try await database.cacheEntry(key: key.key), entry.expiresAt > t else { return nil }
            let known = Hot(entry)
            hot.set(key.key, known)
            return known
        } catch {
            logger.warning("cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The hot layer's unexpired entry for this key, without touching the database.
    func hotFresh(_ key: CacheKey) -> Hot? {
        guard let known = hot.get(key.key) else { return nil }
        return known.entry.expiresAt > now() ? known : expire(key)
    }

    private func expire(_ key: CacheKey) -> Hot? {
        hot.remove(key.key)
        return nil
    }

    /// The newest entry of the lineage, whatever its age or index version: what is served,
    /// marked stale, when inference cannot answer.
    func staleFallback(_ key: CacheKey) async -> CacheEntry? {
        do { return try await database.latestCacheEntry(lineage: key.lineage) } catch {
            logger.warning("stale cache read failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Stores a freshly generated answer (already saved, so it has its answer id).
    func store(_ answer: Answer, key: CacheKey) async {
        let t = now()
        var stored = answer
        stored.cached = false
        stored.stale = false
        let entry = CacheEntry(
            key: key.key, lineage: key.lineage, answer: stored, indexVersion: answer.indexVersion,
            model: answer.model, createdAt: t, expiresAt: t.addingTimeInterval(ttl))
        do {
            try await database.putCacheEntry(entry)
            hot.set(key.key, Hot(entry))
        } catch {
            logger.warning("cache write failed", metadata: ["error": "\(error)"])
        }
    }
}
