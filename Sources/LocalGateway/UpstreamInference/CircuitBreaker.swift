import Core

/// Stops calling an inference that keeps failing, and lets one probe through later.
///
/// Closed: calls pass; `failureThreshold` consecutive failures open it. Open: calls are
/// refused at once (so the gateway can serve the stale cache immediately instead of
/// waiting for timeouts) until `coolDown` has passed. Half-open: exactly one probe call
/// is let through; its success closes the circuit, its failure opens it again.
public actor CircuitBreaker {
    public enum State: String, Sendable, Equatable {
        case closed, open
        case halfOpen = "half_open"
    }

    /// Permission to make one call; report its outcome with `recordSuccess`, `recordFailure` or `release`.
    public struct Permit: Sendable {
        public let isProbe: Bool
    }

    public let failureThreshold: Int
    public let coolDown: Duration
    private let uptime: @Sendable () -> Duration
    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    private var openedAt: Duration = .zero
    private var probeInFlight = false

    public init(failureThreshold: Int, coolDown: Duration, uptime: @escaping @Sendable () -> Duration) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
        self.uptime = uptime
    }

    /// A permit, or a `BedsideError(.inferenceUnavailable)` with `retryAfter` when the circuit is open.
    public func acquire() throws(BedsideError) -> Permit {
        switch state {
        case .closed:
            return Permit(isProbe: false)
        case .open:
            let waited = uptime() - openedAt
            guard waited >= coolDown else { throw refusal(retryAfter: coolDown - waited) }
            state = .halfOpen
            probeInFlight = true
            return Permit(isProbe: true)
        case .halfOpen:
            guard !probeInFlight else { throw refusal(retryAfter: .seconds(1)) }
            probeInFlight = true
            return Permit(isProbe: true)
        }
    }

    /// Any success shows inference is answering: the circuit closes.
    public func recordSuccess(_ permit: Permit) {
        state = .closed
        consecutiveFailures = 0
        probeInFlight = false
    }

    public func recordFailure(_ permit: Permit) {
        if permit.isProbe {
            open()
            return
        }
        guard state == .closed else { return }
        consecutiveFailures += 1
        if consecutiveFailures >= failureThreshold { open() }
    }

    /// The call ended without saying anything about inference (cancelled by the client).
    public func release(_ permit: Permit) {
        if permit.isProbe { probeInFlight = false }
    }

    private func open() {
        state = .open
        openedAt = uptime()
        probeInFlight = false
    }

    private func refusal(retryAfter: Duration) -> BedsideError {
        let seconds = max(1, Int(retryAfter.seconds.rounded(.up)))
        return BedsideError(
            .inferenceUnavailable, "Inference is failing repeatedly, so the gateway is not calling it for now.",
            detail: "circuit breaker \(state.rawValue)", retryAfter: seconds)
    }
}
