/// What the runtime needs of a terminal: draw a frame, read the keys waiting, know its size.
/// `CursesTerminal` is the real one; the runtime tests use an in-memory one that records the
/// frames and feeds keys (as ratatui's `TestBackend` does), so effects, streaming, frame
/// batching and resize run without a tty.
@MainActor
protocol TerminalBackend: AnyObject {
    /// Enters full-screen mode. From then on `onInput` is called, from any thread, when keys
    /// (or a resize) are waiting; after each call it stays quiet until `readInput` has run.
    func start(color: Bool, onInput: @escaping @Sendable () -> Void) throws
    /// Leaves full-screen mode and restores the terminal; safe to call more than once.
    func stop()
    /// The current size in cells.
    var size: TerminalSize { get }
    /// Every key waiting, without blocking; a resize comes as `.resize`.
    func readInput() -> [TerminalInput]
    /// Forgets the last frame, so the next `draw` repaints every cell.
    func invalidate()
    /// Shows a frame.
    func draw(_ frame: ScreenBuffer)
}
