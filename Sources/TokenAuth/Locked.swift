import Foundation

/// A value guarded by a mutex.
///
/// Used for state touched on every request (token buckets, the verified-token cache, the
/// status snapshot) where each critical section is a few dictionary operations: a lock
/// keeps the hot path free of suspension points and actor hops.
package final class Locked<Value>: @unchecked Sendable {
    // Safety: `value` is only read or written while `lock` is held.
    private var value: Value
    private let lock = NSLock()

    package init(_ value: Value) { self.value = value }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
