import Synchronization

/// The main loop's inbox, which also counts what is queued, so the loop can draw once per
/// burst of events rather than once per event: a cached answer arrives as citations, text
/// and done back to back, and only the last state needs to reach the terminal.
final class Mailbox<Item: Sendable>: Sendable {
    let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    /// How many items are queued and not yet taken.
    let queued = Mutex(0)

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Item.self)
    }

    func yield(_ item: Item) {
        queued.withLock { $0 += 1 }
        continuation.yield(item)
    }

    /// Called for each item taken from `stream`; returns how many are still queued.
    func took() -> Int {
        queued.withLock { count in
            count = max(0, count - 1)
            return count
        }
    }

    func finish() { continuation.finish() }
}
