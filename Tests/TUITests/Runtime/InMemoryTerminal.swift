import Foundation
import Testing

@testable import TUI

/// A terminal in memory, as ratatui's `TestBackend`: records every frame the runtime draws,
/// feeds it keys and resizes, and lets a test wait for a frame that shows something.
@MainActor
final class InMemoryTerminal: TerminalBackend {
    private(set) var size: TerminalSize
    /// Every frame drawn, in order.
    private(set) var frames: [ScreenBuffer] = []
    /// How many times the runtime asked for a full repaint.
    private(set) var invalidations = 0
    private(set) var started = false
    private(set) var stopped = false
    private var pending: [TerminalInput] = []
    private var onInput: (@Sendable () -> Void)?
    /// The runtime was told keys are waiting and has not read them yet.
    private var notified = false
    private var waiters: [(id: Int, from: Int, matches: (ScreenBuffer) -> Bool, continuation: CheckedContinuation<ScreenBuffer?, Never>)] = []
    private var nextWaiter = 0

    init(width: Int = 100, height: Int = 30) {
        size = TerminalSize(width: width, height: height)
    }

    // MARK: TerminalBackend

    func start(color: Bool, onInput: @escaping @Sendable () -> Void) throws {
        started = true
        self.onInput = onInput
        if !pending.isEmpty { wake() }
    }

    func stop() { stopped = true }

    func readInput() -> [TerminalInput] {
        notified = false
        defer { pending.removeAll() }
        return pending
    }

    func invalidate() { invalidations += 1 }

    func draw(_ frame: ScreenBuffer) {
        frames.append(frame)
        let index = frames.count - 1
        waiters.removeAll { waiter in
            guard index >= waiter.from, waiter.matches(frame) else { return false }
            waiter.continuation.resume(returning: frame)
            return true
        }
    }

    // MARK: Driving it

    func press(_ keys: Key...) { send(keys.map(TerminalInput.key)) }

    func type(_ text: String) { send(text.map { .key(.character($0)) }) }

    /// The terminal changes size; curses reports it as a key.
    func resize(width: Int, height: Int) {
        size = TerminalSize(width: width, height: height)
        send([.resize])
    }

    private func send(_ inputs: [TerminalInput]) {
        pending += inputs
        wake()
    }

    private func wake() {
        guard let onInput, !notified else { return }
        notified = true
        onInput()
    }

    var lastFrame: ScreenBuffer? { frames.last }

    /// The first frame drawn from index `from` on that satisfies `matches`; fails the test
    /// (and returns nil) if none is drawn within `limit`, so a broken runtime fails instead of hanging.
    @discardableResult
    func frame(
        from: Int = 0, within limit: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
        where matches: @escaping (ScreenBuffer) -> Bool
    ) async -> ScreenBuffer? {
        if let hit = frames.dropFirst(from).first(where: matches) { return hit }
        let id = nextWaiter
        nextWaiter += 1
        let guardTask = Task { [weak self] in
            try await Task.sleep(for: limit)
            self?.expire(id)
        }
        defer { guardTask.cancel() }
        let frame = await withCheckedContinuation { continuation in
            waiters.append((id, from, matches, continuation))
        }
        if frame == nil { Issue.record("no frame matched within \(limit)", sourceLocation: sourceLocation) }
        return frame
    }

    /// Text anywhere on the screen.
    @discardableResult
    func frame(from: Int = 0, showing text: String, sourceLocation: SourceLocation = #_sourceLocation) async -> ScreenBuffer? {
        await frame(from: from, sourceLocation: sourceLocation) { $0.text.contains(text) }
    }

    private func expire(_ id: Int) {
        waiters.removeAll { waiter in
            guard waiter.id == id else { return false }
            waiter.continuation.resume(returning: nil)
            return true
        }
    }
}
