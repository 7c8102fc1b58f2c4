/// The answer pane: streamed text, wrapped by columns, scrolled.
enum AnswerView {
    static let spinner: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    static func title(_ state: AppState, layout: AnswerLayout) -> String {
        var t = "Answer"
        if state.phase.isStreaming {
            t += state.info.screenReader ? " (streaming)" : " \(spinner[state.ticks % spinner.count]) streaming"
        }
        if layout.lines.count > layout.viewport.height, layout.viewport.height > 0 {
            let last = min(layout.lines.count, layout.top + layout.viewport.height)
            t += " · lines \(layout.top + 1)-\(last) of \(layout.lines.count)"
        }
        if let search = state.search, search.target == .answer, !search.term.isEmpty {
            let count = AnswerContent.searchMatches(state, in: layout.text).count
            t += " · /\(search.term) \(count == 0 ? "no match" : "\(min(search.current, count - 1) + 1) of \(count)")"
        }
        return t
    }

    static func draw(_ state: AppState, frame: Rect, into buffer: inout ScreenBuffer) {
        let layout = AnswerLayout(state)
        let focused = state.focus == .answer && state.screen == .main
        Box.pane(frame, title: title(state, layout: layout), focused: focused, screenReader: state.info.screenReader, into: &buffer)
        layout.text.draw(lines: layout.lines, from: layout.top, in: layout.viewport, into: &buffer)
    }
}
