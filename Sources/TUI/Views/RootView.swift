/// Renders the whole state into a frame. Pure: the same state always gives the same cells.
enum RootView {
    static func render(_ state: AppState) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: state.size.width, height: state.size.height)
        if state.size.isTooSmall {
            TooSmallView.draw(state, into: &buffer)
            return buffer
        }
        let edges = Geometry.edges(state)
        StatusBarView.draw(state, in: edges.status, into: &buffer)
        switch state.screen {
        case .main:
            let layout = Geometry.main(state)
            QuestionLineView.draw(state, in: layout.question, into: &buffer)
            AnswerView.draw(state, frame: layout.answer, into: &buffer)
            CitationsView.draw(state, frame: layout.citations, content: layout.citationsContent, into: &buffer)
        case .source: SourceView.draw(state, into: &buffer)
        case .history: HistoryView.draw(state, into: &buffer)
        }
        if let rect = edges.message { drawMessage(state, in: rect, into: &buffer) }
        KeyBarView.draw(state, in: edges.keyBar, into: &buffer)
        if let search = state.search, search.editing { drawSearchPrompt(search, state, into: &buffer) }
        switch state.overlay {
        case .help(let scroll)?:
            buffer.cursor = nil
            HelpOverlay.draw(scroll: scroll, state: state, into: &buffer)
        case .confirmQuit?:
            buffer.cursor = nil
            ConfirmQuitOverlay.draw(state, into: &buffer)
        case nil:
            break
        }
        return buffer
    }

    private static func drawMessage(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard let message = state.message else { return }
        let inset = state.info.screenReader ? 0 : 1
        for (row, line) in Geometry.messageLines(state, width: rect.width).prefix(rect.height).enumerated() {
            buffer.write(
                line, x: rect.x + inset, y: rect.y + row, style: CellStyle([.bold], message.isError ? .error : .normal),
                maxWidth: rect.width - inset)
        }
    }

    /// The `/` prompt replaces the key bar while a search term is typed.
    private static func drawSearchPrompt(_ search: SearchState, _ state: AppState, into buffer: inout ScreenBuffer) {
        let y = state.size.height - 1
        let rect = Rect(x: 0, y: y, width: state.size.width, height: 1)
        buffer.fill(rect)
        let label = state.info.screenReader ? "Search: " : "/"
        let used = buffer.write(label, x: 0, y: y, style: CellStyle([.bold], .title))
        let (text, cursor) = search.editor.window(width: max(2, rect.width - used))
        buffer.write(text, x: used, y: y, maxWidth: rect.width - used)
        buffer.cursor = CursorPosition(x: used + cursor, y: y)
    }
}
