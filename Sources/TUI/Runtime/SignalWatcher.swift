import Dispatch
import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP as events, so the terminal is restored before exit instead of
/// being left in raw mode.
final class SignalWatcher: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    init(onSignal: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "bedside.tui.signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { onSignal(sig) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    func cancel() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        for sig in signals { signal(sig, SIG_DFL) }
    }
}
