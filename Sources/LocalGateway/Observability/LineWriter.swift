import Dispatch
import Foundation
import Synchronization

/// Writes whole lines to a file descriptor from a queue of its own, so that whoever logs (an
/// event loop, a task on the cooperative pool) never waits for write(2): a slow terminal or
/// a full pipe stalls this writer only. Lines go out whole, in the order they were handed over.
///
/// At most `capacity` lines wait. A line past that is dropped rather than waited for, and
/// counted: in `dropped` (the gateway's `bedside_log_lines_dropped_total`), and by a warning
/// line written just before the next line that is kept, so a gap in the log says its size.
final class LineWriter: Sendable {
    private struct Backlog {
        /// Lines handed over and not yet taken by the writer, in order.
        var pending: [String] = []
        /// Lines handed over and not yet written, taken by the writer or not: what `capacity`
        /// bounds (drop notices aside).
        var waiting = 0
        /// Whether a drain is scheduled on `queue` (one wake-up per batch, not per line).
        var draining = false
        var unreported = 0
        var dropped = 0
    }

    private let fileDescriptor: Int32
    private let capacity: Int
    private let queue = DispatchQueue(label: "bedside.log-writer")
    private let backlog = Mutex(Backlog())

    init(fileDescriptor: Int32, capacity: Int = 16_384) {
        self.fileDescriptor = fileDescriptor
        self.capacity = capacity
    }

    /// Standard output's writer; lines still waiting at exit get two seconds to go out.
    static let standardOutput: LineWriter = {
        let writer = LineWriter(fileDescriptor: 1)
        atexit { LineWriter.standardOutput.drain(timeout: .now() + 2) }
        return writer
    }()

    /// Lines dropped so far because `capacity` lines were already waiting.
    var dropped: Int { backlog.withLock { $0.dropped } }

    /// Queues `line`; returns at once. Queued under the lock, so the order is the lock's. The
    /// writer is woken only when it is idle: under load, one wake-up writes a whole batch.
    func write(_ line: String) {
        let wake = backlog.withLock { b -> Bool in
            guard b.waiting < capacity else {
                b.unreported += 1
                b.dropped += 1
                return false
            }
            if b.unreported > 0 {
                b.pending.append(Self.dropNotice(b.unreported))
                b.unreported = 0
            }
            b.pending.append(line)
            b.waiting += 1
            guard !b.draining else { return false }
            b.draining = true
            return true
        }
        if wake { queue.async { [self] in drain() } }
    }

    /// Writes batches until none is left (on `queue`).
    private func drain() {
        while true {
            // Every line still waiting is in this batch: the previous one's were counted off.
            let (batch, lines) = backlog.withLock { b -> ([String], Int) in
                let taken = b.pending
                b.pending = []
                if taken.isEmpty { b.draining = false }
                return (taken, b.waiting)
            }
            if batch.isEmpty { return }
            writeAll(batch.joined())
            backlog.withLock { $0.waiting -= lines }
        }
    }

    /// Returns once every line queued before the call was written.
    func flush() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in queue.async { done.resume() } }
    }

    /// `flush` for the process's exit (an `atexit` handler), where nothing async runs any more.
    func drain(timeout: DispatchTime) {
        let done = DispatchSemaphore(value: 0)
        queue.async { done.signal() }
        _ = done.wait(timeout: timeout)
    }

    private func writeAll(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    private static func dropNotice(_ count: Int) -> String {
        "{\"ts\":\"\(JSONLogHandler.timestamp(Date()))\",\"level\":\"warning\",\"msg\":\"log lines dropped: the writer fell behind\",\"label\":\"bedside.log\",\"dropped\":\(count)}\n"
    }
}
