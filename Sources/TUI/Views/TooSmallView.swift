/// Shown instead of the panes when the terminal is below the minimum size.
enum TooSmallView {
    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        let size = state.size
        var text = StyledText()
        text.append(
            "Bedside needs at least \(TerminalSize.minimum.width)x\(TerminalSize.minimum.height) characters; "
                + "this terminal is \(size.width)x\(size.height). Enlarge the window. (q quits)")
        let rect = Rect(x: 0, y: 0, width: size.width, height: size.height)
        text.draw(lines: text.wrapped(width: max(2, rect.width)), from: 0, in: rect, into: &buffer)
    }
}
