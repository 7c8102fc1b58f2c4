import Foundation

/// Where the gateway gets time from: wall time for token claims and cache expiry, a
/// monotonic reading for rate limits and the circuit breaker, and a sleep for timeouts.
/// Tests pass a manual clock so that refills, cool-downs and expiries happen on demand.
public struct GatewayClock: Sendable {
    /// Wall-clock time.
    public var now: @Sendable () -> Date
    /// Monotonic time since an arbitrary origin; only differences are meaningful.
    public var uptime: @Sendable () -> Duration
    /// Suspends for a duration (cancellable).
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        now: @escaping @Sendable () -> Date,
        uptime: @escaping @Sendable () -> Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.now = now
        self.uptime = uptime
        self.sleep = sleep
    }

    /// The real clocks.
    public static let system: GatewayClock = {
        let origin = ContinuousClock.now
        return GatewayClock(now: Date.init, uptime: { ContinuousClock.now - origin })
    }()
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    package var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// A duration from a number of seconds (negative values become zero).
    package static func seconds(from interval: TimeInterval) -> Duration {
        .nanoseconds(Int64((max(0, interval) * 1e9).rounded()))
    }
}
