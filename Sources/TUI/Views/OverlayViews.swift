/// The `?` help box, listing every key.
enum HelpOverlay {
    static let title = "Help: keys (Esc closes)"
    static let keyColumn = 30

    static func contentHeight(_ size: TerminalSize) -> Int { max(1, frame(size).height - 2) }

    static func frame(_ size: TerminalSize) -> Rect {
        let full = Rect(x: 0, y: 0, width: size.width, height: size.height)
        return full.centered(width: min(96, size.width - 2), height: min(KeyBindings.lines.count + 2, size.height - 2))
    }

    static func maxScroll(_ size: TerminalSize) -> Int { max(0, KeyBindings.lines.count - contentHeight(size)) }

    static func draw(scroll: Int, state: AppState, into buffer: inout ScreenBuffer) {
        let box = frame(state.size)
        Box.clear(box, into: &buffer)
        let content: Rect
        if state.info.screenReader {
            buffer.write("Help:", x: box.x, y: box.y, style: CellStyle([.bold], .title))
            content = Rect(x: box.x, y: box.y + 1, width: box.width, height: box.height - 1)
        } else {
            Box.draw(box, title: title, focused: true, into: &buffer)
            content = Rect(x: box.x + 2, y: box.y + 1, width: box.width - 4, height: box.height - 2)
        }
        let lines = KeyBindings.lines
        let top = max(0, min(scroll, maxScroll(state.size)))
        let keyWidth = min(keyColumn, content.width / 2)
        for row in 0..<content.height {
            let i = top + row
            guard i < lines.count else { break }
            let (key, description) = lines[i]
            let y = content.y + row
            if description.isEmpty {
                buffer.write(key, x: content.x, y: y, style: CellStyle([.bold, .underline], .title), maxWidth: content.width)
            } else {
                buffer.write(key, x: content.x + 1, y: y, style: CellStyle([.bold], .keyHint), maxWidth: keyWidth - 1)
                buffer.write(description, x: content.x + keyWidth + 1, y: y, maxWidth: content.width - keyWidth - 1)
            }
        }
    }
}

/// The question asked before quitting while an answer streams.
enum ConfirmQuitOverlay {
    static let lines = ["An answer is still streaming.", "Quit Bedside?  y yes · n no"]

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        let full = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        let box = full.centered(width: 40, height: 4)
        Box.clear(box, into: &buffer)
        if state.info.screenReader {
            buffer.write("Confirm: " + lines.joined(separator: " "), x: box.x, y: box.y, style: CellStyle([.bold], .warning), maxWidth: box.width)
            return
        }
        Box.draw(box, title: "Quit?", focused: true, into: &buffer)
        for (i, line) in lines.enumerated() {
            buffer.write(line, x: box.x + 2, y: box.y + 1 + i, style: CellStyle(i == 1 ? [.bold] : [], .normal), maxWidth: box.width - 4)
        }
    }
}

/// Shown instead of the panes when the terminal is below the minimum size.
enum TooSmallView {
    static func message(_ size: TerminalSize) -> String {
        "Bedside needs at least \(TerminalSize.minimum.width)x\(TerminalSize.minimum.height) characters; "
            + "this terminal is \(size.width)x\(size.height). Enlarge the window. (q quits)"
    }

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        var text = StyledText()
        text.append(message(state.size))
        let rect = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        text.draw(lines: text.wrapped(width: max(2, rect.width)), from: 0, in: rect, into: &buffer)
    }
}
