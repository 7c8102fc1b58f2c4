import Dispatch
import Foundation
import Synchronization

/// Wakes the main loop when the terminal has input, without a blocking read on the main
/// actor. The source pauses after each wake-up until the main loop has drained the keys
/// (`rearm`), so a burst of keys (a paste) is one wake-up, not a flood.
final class InputWatcher: Sendable {
    private struct State {
        let source: any DispatchSourceRead
        var suspended = false
        var cancelled = false
    }

    private let state: Mutex<State>

    init(fileDescriptor: Int32, onReady: @escaping @Sendable () -> Void) {
        state = Mutex(State(source: DispatchSource.makeReadSource(fileDescriptor: fileDescriptor, queue: DispatchQueue(label: "bedside.tui.input"))))
        state.withLock { s in
            s.source.setEventHandler { [weak self] in
                guard let self else { return }
                self.state.withLock { s in
                    guard !s.suspended, !s.cancelled else { return }
                    s.suspended = true
                    s.source.suspend()
                }
                onReady()
            }
            s.source.resume()
        }
    }

    /// Called after the keys were read: listen again.
    func rearm() {
        state.withLock { s in
            guard s.suspended, !s.cancelled else { return }
            s.suspended = false
            s.source.resume()
        }
    }

    func cancel() {
        state.withLock { s in
            guard !s.cancelled else { return }
            s.cancelled = true
            s.source.cancel()
            // A suspended source must be resumed before it is released.
            if s.suspended {
                s.suspended = false
                s.source.resume()
            }
        }
    }
}
