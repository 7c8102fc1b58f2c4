import Core

/// Token buckets per subject (the token's `sub`), safe under concurrent requests: each
/// decision is one refill-and-take inside a lock, so no two requests can spend the same token.
public final class RateLimiter: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    private let buckets = Locked<[String: TokenBucket]>([:])
    private let uptime: @Sendable () -> Duration
    /// Above this many subjects, buckets that have refilled completely are forgotten
    /// (a full bucket carries no state worth keeping).
    private let compactionThreshold: Int

    public init(capacity: Double, refillPerSecond: Double, uptime: @escaping @Sendable () -> Duration, compactionThreshold: Int = 10_000) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.uptime = uptime
        self.compactionThreshold = compactionThreshold
    }

    /// Spends one token of `subject`'s bucket, or reports when to retry.
    public func take(subject: String) -> RateDecision {
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

    /// The `RateLimit-Policy` header value: quota `q` and window `w` (seconds to refill fully).
    public var policyHeader: String {
        let window = Int((capacity / refillPerSecond).rounded(.up))
        return "\"default\";q=\(Int(capacity));w=\(max(1, window))"
    }

    /// The `RateLimit` header value for a decision.
    public static func header(_ d: RateDecision) -> String {
        "\"default\";r=\(d.remaining);t=\(d.resetSeconds)"
    }

    var subjectCount: Int { buckets.withLock { $0.count } }
}
