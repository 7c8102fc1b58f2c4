/// Runs `body` and fails with `TestError` naming `what` if it has not finished within
/// `timeout` (it is cancelled then): a test waiting for an event fails, instead of hanging,
/// when the event never comes. `body` must honour cancellation for the failure to return.
public func within<T: Sendable>(
    _ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout) // the deadline itself
            return nil
        }
        defer { group.cancelAll() }
        guard case .some(.some(let value)) = try await group.next() else {
            throw TestError("timed out after \(timeout) waiting for \(what)")
        }
        return value
    }
}
