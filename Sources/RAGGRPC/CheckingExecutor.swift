import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One thread of its own on which peers' replies are decoded and checked, one at a time.
///
/// Checking a reply is pure CPU work (every answer sentence against every citation), and so
/// is decoding it; the caps bound both, but at the caps a debug build still spends some 45 ms
/// decoding and 0.2 s checking one reply. On Swift's cooperative pool (as many threads as
/// cores: 2 here) two such replies would hold every thread, and `/healthz`, the deadline
/// timers and every other request would wait behind them (issue 19: `/healthz` took 45 ms
/// while two replies at the caps were decoded there). Here they queue behind each other
/// instead, on one core at most and at a lower priority; the rest of the gateway keeps the
/// others. A check whose deadline passed while it queued is cancelled and stops at once
/// (`Task.isCancelled`).
@available(macOS 15.0, *)
final class CheckingExecutor: TaskExecutor {
    static let shared = CheckingExecutor()

    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "bedside-peer-checking"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        ready.signal()
    }

    private func run() {
        #if os(Linux)
            // Below the threads that serve requests: under load, checking waits, not /healthz.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10) // 0: this thread (Linux nice values are per thread)
        #endif
        while true {
            ready.wait() // a thread of its own: waiting here blocks no task
            let job = jobs.withLock { $0.removeFirst() }
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
