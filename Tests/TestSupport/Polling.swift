/// Waits that suspend (never block a thread) until a condition holds.
public enum Poll {
    /// Calls `probe` every `interval` until it returns a value, and returns it; throws
    /// `TestError` naming `what` (and the last probe's `describe`) when `timeout` passes first.
    public static func until<T>(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
        _ probe: () async throws -> T?
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let value = try await probe() { return value }
            if clock.now >= deadline { throw TestError("timed out after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: interval)
        }
    }

    /// `until` for a condition without a value.
    public static func until(
        _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(50),
        _ condition: () async throws -> Bool
    ) async throws {
        let _: Bool = try await until(what, timeout: timeout, every: interval) { try await condition() ? true : nil }
    }
}
