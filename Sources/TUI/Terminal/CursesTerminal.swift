import CNcursesw
import Foundation

/// The thin ncurses layer: draws frames (only the cells that changed) and reads keys.
/// Everything else in the app is pure and tested without it. All calls run on the main
/// actor, since curses keeps global state.
@MainActor
final class CursesTerminal: TerminalBackend {
    private var previous: ScreenBuffer?
    private var input: InputWatcher?
    private var colorEnabled = false
    private var started = false
    private let decoder = KeyDecoder(
        keys: [
            UInt32(BEDSIDE_KEY_UP): .up, UInt32(BEDSIDE_KEY_DOWN): .down, UInt32(BEDSIDE_KEY_LEFT): .left,
            UInt32(BEDSIDE_KEY_RIGHT): .right, UInt32(BEDSIDE_KEY_HOME): .home, UInt32(BEDSIDE_KEY_END): .end,
            UInt32(BEDSIDE_KEY_NPAGE): .pageDown, UInt32(BEDSIDE_KEY_PPAGE): .pageUp, UInt32(BEDSIDE_KEY_BTAB): .backTab,
            UInt32(BEDSIDE_KEY_DC): .delete, UInt32(BEDSIDE_KEY_BACKSPACE): .backspace, UInt32(BEDSIDE_KEY_ENTER): .enter,
        ], resize: UInt32(BEDSIDE_KEY_RESIZE), f1: UInt32(BEDSIDE_KEY_F1))

    /// Enters curses mode and starts watching stdin. Throws when the terminal cannot be initialised.
    func start(color: Bool, onInput: @escaping @Sendable () -> Void) throws {
        let result = bedside_start(color ? 1 : 0)
        guard result >= 0 else { throw TerminalError() }
        started = true
        atexit { bedside_stop_if_active() }
        colorEnabled = result == 1
        if colorEnabled { ColorPalette.install() }
        input = InputWatcher(fileDescriptor: 0, onReady: onInput)
    }

    /// Leaves curses mode and restores the terminal; safe to call more than once.
    func stop() {
        input?.cancel()
        input = nil
        guard started else { return }
        started = false
        bedside_stop()
    }

    var size: TerminalSize {
        var rows: Int32 = 0
        var cols: Int32 = 0
        bedside_screen_size(&rows, &cols)
        return TerminalSize(width: Int(cols), height: Int(rows))
    }

    /// Reads every key waiting, without blocking, then listens for the next.
    func readInput() -> [TerminalInput] {
        defer { input?.rearm() }
        var out: [TerminalInput] = []
        while true {
            var value: UInt32 = 0
            let r = bedside_read_key(&value)
            if r == ERR { break }
            if let input = decoder.decode(isKeyCode: r == BEDSIDE_KEY_CODE_YES, value: value) { out.append(input) }
        }
        return out
    }

    /// Forgets the last frame so the next draw repaints everything (after a resize).
    func invalidate() {
        previous = nil
        bedside_clearok()
    }

    /// Draws a frame, touching only the rows that changed.
    func draw(_ frame: ScreenBuffer) {
        let full = previous.map { $0.width != frame.width || $0.height != frame.height } ?? true
        if full { bedside_erase() }
        for y in 0..<frame.height {
            var first = -1
            var last = -1
            for x in 0..<frame.width where full || previous?[x, y] != frame[x, y] {
                if first < 0 { first = x }
                last = x
            }
            guard first >= 0 else { continue }
            // Start on the left half of a wide character, end after the right half.
            if first > 0 && frame[first, y].width == 0 { first -= 1 }
            var x = first
            while x <= last && x < frame.width {
                let cell = frame[x, y]
                if cell.width == 0 {
                    x += 1
                    continue
                }
                put(cell, x: x, y: y)
                x += max(1, Int(cell.width))
            }
        }
        if let cursor = frame.cursor {
            curs_set(1)
            bedside_move(Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
            bedside_move(Int32(max(0, frame.height - 1)), Int32(max(0, frame.width - 1)))
        }
        bedside_refresh()
        previous = frame
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var wide: [wchar_t] = []
        for scalar in cell.character.unicodeScalars.prefix(4) { wide.append(wchar_t(bitPattern: scalar.value)) }
        wide.append(0)
        var flags: Int32 = 0
        let a = cell.style.attributes
        if a.contains(.bold) { flags |= Int32(BEDSIDE_ATTR_BOLD) }
        if a.contains(.reverse) { flags |= Int32(BEDSIDE_ATTR_REVERSE) }
        if a.contains(.underline) { flags |= Int32(BEDSIDE_ATTR_UNDERLINE) }
        if a.contains(.dim) { flags |= Int32(BEDSIDE_ATTR_DIM) }
        let pair: Int16 = colorEnabled ? ColorPalette.pair(for: cell.style.role) : 0
        _ = bedside_put_cell(Int32(y), Int32(x), wide, flags, pair)
    }
}

/// curses could not start (no usable terminal description).
struct TerminalError: Error, CustomStringConvertible {
    var description: String { "Cannot start the terminal interface (is TERM set?)." }
}
