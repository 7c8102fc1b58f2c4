import Core
import Logging
import SQLiteStore
import SharedState

/// Token buckets per subject (the token's `sub`), safe under concurrent requests: each
/// decision is one refill-and-take inside a lock, so no two requests can spend the same token.
///
/// With a shared store (PostgreSQL behind several gateways) the bucket is the store's row
/// instead, taken in one atomic statement on the database clock, so the gateways never grant
/// more than `capacity` between them. If the store cannot be reached the in-process bucket
/// decides (each gateway then limits on its own, and says so in its log once per outage).
public final class RateLimiter: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    /// Internal, not private: the tests count the subjects kept to see compaction work.
    let buckets = Locked<[String: TokenBucket]>([:])
    private let uptime: @Sendable () -> Duration
    private let shared: (any SharedRateLimitStore)?
    private let logger: Logger?
    private let sharedFailing = Locked(false)
    /// Above this many subjects, buckets that have refilled completely are forgotten
    /// (a full bucket carries no state worth keeping).
    private let compactionThreshold: Int

    public init(
        capacity: Double, refillPerSecond: Double, uptime: @escaping @Sendable () -> Duration, compactionThreshold: Int = 10_000,
        shared: (any SharedRateLimitStore)? = nil, logger: Logger? = nil
    ) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.uptime = uptime
        self.compactionThreshold = compactionThreshold
        self.shared = shared
        self.logger = logger
    }

    /// Spends one token of `subject`'s bucket: the shared one when there is a shared store.
    public func take(subject: String) async -> RateDecision {
        guard let shared else { return takeLocal(subject: subject) }
        do {
            let t = try await shared.takeToken(subject: subject, capacity: capacity, refillPerSecond: refillPerSecond)
            if markShared(failing: false) { logger?.info("shared rate limits reachable again") }
            return RateDecision(allowed: t.allowed, tokens: t.tokens, capacity: capacity, refillPerSecond: refillPerSecond)
        } catch {
            if !markShared(failing: true) {
                logger?.error("shared rate limits unreachable; limiting in this process", metadata: ["error": "\(error)"])
            }
            return takeLocal(subject: subject)
        }
    }

    /// Records whether the shared store fails and returns whether it did before, so that
    /// each outage and each recovery is logged once.
    private func markShared(failing: Bool) -> Bool {
        sharedFailing.withLock { f in
            defer { f = failing }
            return f
        }
    }

    /// True when buckets live in the shared store (a take waits on the database).
    public var isShared: Bool { shared != nil }

    /// Spends one token of `subject`'s in-process bucket, or reports when to retry.
    public func takeLocal(subject: String) -> RateDecision {
        let now = uptime()
        return buckets.withLock { all in
            if all.count > compactionThreshold, all[subject] == nil {
                all = all.filter { _, bucket in
                    var b = bucket
                    b.refill(now: now)
                    return !b.isFull
                }
            }
            var bucket = all[subject] ?? TokenBucket(capacity: capacity, refillPerSecond: refillPerSecond, now: now)
            let decision = bucket.take(now: now)
            all[subject] = bucket
            return decision
        }
    }

    /// Returns the token `takeLocal` spent for a request that goes on to be counted again
    /// (a fast-path hit handed to the router), so that it costs its subject one token.
    public func giveBackLocal(subject: String) {
        buckets.withLock { all in all[subject]?.giveBack() }
    }

    /// The `RateLimit-Policy` header value: quota `q` and window `w` (seconds to refill fully).
    public var policyHeader: String {
        let window = Int((capacity / refillPerSecond).rounded(.up))
        return "\"default\";q=\(Int(capacity));w=\(max(1, window))"
    }

    /// The `RateLimit` header value for a decision.
    public static func header(_ d: RateDecision) -> String {
        "\"default\";r=\(d.remaining);t=\(d.resetSeconds)"
    }
}
