/// The `?` help box, listing every key. Descriptions wrap to the box, so nothing is cut
/// off on a narrow terminal; the box scrolls when it is taller than the screen.
enum HelpOverlay {
    static func frame(_ size: TerminalSize) -> Rect {
        let full = Rect(x: 0, y: 0, width: size.width, height: size.height)
        let width = min(96, size.width - 2)
        return full.centered(width: width, height: min(rows(contentWidth: width - 4).count + 2, size.height - 2))
    }

    static func contentHeight(_ size: TerminalSize) -> Int { max(1, frame(size).height - 2) }

    static func maxScroll(_ size: TerminalSize) -> Int {
        max(0, rows(contentWidth: frame(size).width - 4).count - contentHeight(size))
    }

    /// Width of the key column: the longest key plus a gap, at most half the box.
    static func keyWidth(contentWidth: Int) -> Int {
        let longest = KeyBindings.lines.filter { !$0.text.isEmpty }.map { DisplayWidth.of($0.key) }.max() ?? 10
        return min(longest + 3, max(8, contentWidth / 2))
    }

    /// (key, description, isHeading) rows, descriptions wrapped to the box.
    static func rows(contentWidth: Int) -> [(key: String, text: String, heading: Bool, sampleStyle: CellStyle?)] {
        let keyWidth = keyWidth(contentWidth: contentWidth)
        let textWidth = max(8, contentWidth - keyWidth)
        var out: [(String, String, Bool, CellStyle?)] = []
        for (key, description, sample) in KeyBindings.lines {
            if description.isEmpty {
                out.append((key, "", !key.isEmpty, nil))
                continue
            }
            let parts = StyledText.wrap(description, width: textWidth)
            for (i, part) in parts.enumerated() { out.append((i == 0 ? key : "", part, false, i == 0 ? sample : nil)) }
        }
        return out
    }

    static func draw(scroll: Int, state: AppState, into buffer: inout ScreenBuffer) {
        let box = frame(state.size)
        buffer.fill(box)
        let content: Rect
        if state.info.screenReader {
            buffer.write("Help:", x: box.x, y: box.y, style: CellStyle([.bold], .title))
            content = Rect(x: box.x, y: box.y + 1, width: box.width, height: box.height - 1)
        } else {
            Box.draw(box, title: "Help: keys and highlights (Esc closes)", focused: true, into: &buffer)
            content = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        }
        let lines = rows(contentWidth: box.width - 4)
        let top = max(0, min(scroll, maxScroll(state.size)))
        let keyWidth = keyWidth(contentWidth: box.width - 4)
        for row in 0..<content.height {
            let i = top + row
            guard i < lines.count else { break }
            let line = lines[i]
            let y = content.y + row
            if line.heading {
                buffer.write(line.key, x: content.x, y: y, style: CellStyle([.bold, .underline], .title), maxWidth: content.width)
            } else {
                buffer.write(line.key, x: content.x + 1, y: y, style: line.sampleStyle ?? CellStyle([.bold], .keyHint), maxWidth: keyWidth - 1)
                buffer.write(line.text, x: content.x + keyWidth, y: y, maxWidth: content.width - keyWidth)
            }
        }
    }
}
