import Foundation

/// Exponential backoff with jitter for idempotent upstream calls (embeddings, Qdrant reads
/// and idempotent writes): 429, 5xx and connection failures are retried, a `Retry-After`
/// header is honoured, and every delay is randomised so that many clients that failed
/// together do not retry together.
public struct RetryPolicy: Sendable {
    /// Attempts in total, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A random number in 0..<1 (injected so tests are deterministic).
    public var random: @Sendable () -> Double
    /// Waits (injected so tests do not sleep).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(300), maxDelay: Duration = .seconds(8),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
    }

    /// No retries (single attempt).
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before retry number `attempt` (1 = the first retry): `base · 2^(attempt-1)`,
    /// capped, scaled into [50 %, 100 %] by jitter; `retryAfter` seconds win when given (capped too).
    public func delay(attempt: Int, retryAfter: Double? = nil) -> Duration {
        let cap = maxDelay.seconds
        if let retryAfter, retryAfter >= 0 { return .milliseconds(Int64(min(retryAfter, cap) * 1000)) }
        let exp = min(cap, baseDelay.seconds * pow(2, Double(max(0, attempt - 1))))
        let jittered = exp * (0.5 + 0.5 * random())
        return .milliseconds(Int64(jittered * 1000))
    }

    /// Whether an HTTP status is worth retrying.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || (500...599).contains(status)
    }
}
