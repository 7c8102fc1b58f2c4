import Synchronization

/// A value guarded by a mutex: the one lock wrapper every module uses.
///
/// For state touched on every request (token buckets, the verified-token cache, the status
/// snapshot, the audit writer's queue, stream progress) where each critical section is a
/// few dictionary operations: a lock keeps the hot path free of suspension points and actor
/// hops. A class around `Synchronization.Mutex`, so it can be shared by reference; it is
/// `Sendable` because the value it holds is, which the compiler checks.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try mutex.withLock { value in try body(&value) }
    }

    /// A copy of the value now.
    public var current: Value { withLock { $0 } }
}
