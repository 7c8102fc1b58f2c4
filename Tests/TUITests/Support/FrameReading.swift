@testable import TUI

/// Reading a rendered frame (or a view's styled text) back as text, the way tests check what a view drew.
extension ScreenBuffer {
    /// The text of one row: wide characters once, trailing spaces removed.
    func row(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var out = ""
        for x in 0..<width {
            let cell = cells[y * width + x]
            if cell.width == 0 { continue }
            out.append(cell.character)
        }
        while out.last == " " { out.removeLast() }
        return out
    }

    /// The whole frame as text, one line per row (what `tmux capture-pane` would show).
    var text: String {
        (0..<height).map(row).joined(separator: "\n")
    }

    /// The first (x, y) where `needle` starts on a row, in columns; nil when absent.
    func find(_ needle: String) -> CursorPosition? {
        for y in 0..<height {
            let line = row(y)
            guard let range = line.range(of: needle) else { continue }
            return CursorPosition(x: DisplayWidth.of(line[..<range.lowerBound]), y: y)
        }
        return nil
    }

    /// The characters on a row whose style has `attribute`, in order (for tests).
    func text(withAttribute attribute: CellAttributes, row y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var out = ""
        for x in 0..<width {
            let cell = cells[y * width + x]
            if cell.width > 0 && cell.style.attributes.contains(attribute) { out.append(cell.character) }
        }
        return out
    }

    /// All characters in the frame with `attribute`, row by row joined with newlines.
    func text(withAttribute attribute: CellAttributes) -> String {
        (0..<height).map { text(withAttribute: attribute, row: $0) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}

extension StyledText {
    /// The text without its styles.
    var string: String { String(characters) }
}
