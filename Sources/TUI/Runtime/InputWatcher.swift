import Dispatch
import Foundation

/// Wakes the main loop when the terminal has input, without a blocking read on the main
/// actor. The source pauses after each wake-up until the main loop has drained the keys
/// (`rearm`), so a burst of keys (a paste) is one wake-up, not a flood.
final class InputWatcher: @unchecked Sendable {
    private let source: any DispatchSourceRead
    private let lock = NSLock()
    private var suspended = false
    private var cancelled = false

    init(fileDescriptor: Int32, onReady: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeReadSource(fileDescriptor: fileDescriptor, queue: DispatchQueue(label: "bedside.tui.input"))
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            if !self.suspended && !self.cancelled {
                self.suspended = true
                self.source.suspend()
            }
            self.lock.unlock()
            onReady()
        }
        source.resume()
    }

    /// Called after the keys were read: listen again.
    func rearm() {
        lock.lock()
        defer { lock.unlock() }
        guard suspended, !cancelled else { return }
        suspended = false
        source.resume()
    }

    func cancel() {
        lock.lock()
        defer { lock.unlock() }
        guard !cancelled else { return }
        cancelled = true
        source.cancel()
        // A suspended source must be resumed before it is released.
        if suspended {
            suspended = false
            source.resume()
        }
    }
}
