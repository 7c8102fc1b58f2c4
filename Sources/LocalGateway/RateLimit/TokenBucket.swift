/// One subject's allowance: up to `capacity` requests in a burst, refilled continuously at
/// `refillPerSecond`. A value type; `RateLimiter` keeps one per subject under a lock.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Double
    public let refillPerSecond: Double
    public private(set) var tokens: Double
    private var updatedAt: Duration

    /// A full bucket at time `now` (monotonic).
    public init(capacity: Double, refillPerSecond: Double, now: Duration) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
        self.updatedAt = now
    }

    /// Takes one token if there is one. Time going backwards is treated as no time passing.
    public mutating func take(now: Duration) -> RateDecision {
        refill(now: now)
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        return RateDecision(allowed: allowed, tokens: tokens, capacity: capacity, refillPerSecond: refillPerSecond)
    }

    /// Adds the tokens earned since the last update.
    public mutating func refill(now: Duration) {
        let elapsed = (now - updatedAt).seconds
        if elapsed > 0 {
            tokens = min(capacity, tokens + elapsed * refillPerSecond)
            updatedAt = now
        }
    }

    /// Gives back a token taken for a request that was then handed on to be counted again.
    public mutating func giveBack() { tokens = min(capacity, tokens + 1) }

    public var isFull: Bool { tokens >= capacity }
}

/// The outcome of one request against a bucket, with what the rate-limit headers report.
public struct RateDecision: Sendable, Hashable {
    public var allowed: Bool
    /// Whole tokens left after this request.
    public var remaining: Int
    /// Seconds until the bucket is full again (the `t` of the `RateLimit` header).
    public var resetSeconds: Int
    /// Seconds until one token is available (the `Retry-After` of a 429).
    public var retryAfterSeconds: Int
}

extension RateDecision {
    /// The decision of a bucket of `capacity` refilled at `refillPerSecond` that holds `tokens`
    /// after the take: the in-process bucket's and a shared store's alike.
    init(allowed: Bool, tokens: Double, capacity: Double, refillPerSecond: Double) {
        let left = max(0, min(capacity, tokens))
        let reset = Int(((capacity - left) / refillPerSecond).rounded(.up))
        if allowed {
            self.init(allowed: true, remaining: Int(left.rounded(.down)), resetSeconds: reset, retryAfterSeconds: 0)
        } else {
            let wait = ((1 - left) / refillPerSecond).rounded(.up)
            self.init(allowed: false, remaining: 0, resetSeconds: reset, retryAfterSeconds: max(1, Int(wait)))
        }
    }
}
