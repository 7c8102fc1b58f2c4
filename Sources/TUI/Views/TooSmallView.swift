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
