import Foundation

/// Timing marks for benchmarks, written as JSON lines to the file named by `[console] trace`
/// (`BEDSIDE_TUI_TRACE`, read by the command into `TUIOptions.tracePath`; nothing is
/// recorded when it is unset).
///
/// `bench/tui.sh` drives the real binary under tmux and reads these marks: the wall-clock
/// time of the first frame and of the first connectivity verdict (start to interactive,
/// against the launch time the script took), and for each question the time from the
/// Enter key being read to the frame that shows the complete answer being drawn.
@MainActor
final class TUITrace {
    private let handle: FileHandle
    private var askedAt: ContinuousClock.Instant?
    private var firstFrameSeen = false
    private var readySeen = false
    private var firstEventMS: Double?
    private var lastEventMS: Double?
    private var frames = 0

    init?(path: String?) {
        guard let path, !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    /// A question was sent; `inputAt` is when the key batch holding Enter was read.
    func asked(inputAt: ContinuousClock.Instant) {
        askedAt = inputAt
        firstEventMS = nil
        lastEventMS = nil
        frames = 0
    }

    /// An event of the current answer stream reached the main loop.
    func received() {
        guard let askedAt else { return }
        let ms = (ContinuousClock.now - askedAt) / .milliseconds(1)
        if firstEventMS == nil { firstEventMS = ms }
        lastEventMS = ms
    }

    /// A frame for `state` has just been handed to the terminal.
    func drew(_ state: AppState) {
        if !firstFrameSeen {
            firstFrameSeen = true
            write(["event": "first_frame", "unix": Date().timeIntervalSince1970])
        }
        if !readySeen, state.connectivity != .unknown {
            readySeen = true
            write(["event": "ready", "unix": Date().timeIntervalSince1970, "online": !state.connectivity.isOffline])
        }
        guard let askedAt else { return }
        frames += 1
        let answer: (cached: Bool, stale: Bool)
        switch state.phase {
        case .answered(let a, _): answer = (a.cached, a.stale)
        case .failed, .offline: answer = (false, false)
        default: return
        }
        self.askedAt = nil
        write([
            "event": "answer_drawn", "ms": (ContinuousClock.now - askedAt) / .milliseconds(1), "cached": answer.cached, "stale": answer.stale,
            "complete": state.phase.answer != nil, "first_event_ms": firstEventMS ?? -1, "last_event_ms": lastEventMS ?? -1,
            "frames": frames,
        ])
    }

    private func write(_ object: [String: Any]) {
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        handle.write(data)
    }
}
