import Foundation

/// A value guarded by a mutex: the one lock wrapper every module uses.
///
/// For state touched on every request (token buckets, the verified-token cache, the status
/// snapshot, the audit writer's queue, stream progress) where each critical section is a
/// few dictionary operations: a lock keeps the hot path free of suspension points and actor
/// hops. (Synchronization's `Mutex` needs macOS 15; the package supports 14.)
public final class Locked<Value>: @unchecked Sendable {
    // Safety: `value` is only read or written while `lock` is held.
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value now.
    public var current: Value { withLock { $0 } }
}
