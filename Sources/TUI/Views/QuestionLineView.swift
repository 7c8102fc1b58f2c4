/// The question line: a boxed text field, focused at startup so typing starts at once.
enum QuestionLineView {
    static let prompt = "› "

    static func draw(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        let focused =
            state.focus == .question && state.screen == .main && state.overlay == nil
            && !(state.search?.editing ?? false)
        let field: Rect
        if state.info.screenReader || rect.height < 3 {
            let label = state.info.screenReader ? (focused ? "Question (typing): " : "Question: ") : "Question " + prompt
            let used = buffer.write(label, x: rect.x, y: rect.y, style: CellStyle([.bold], .title))
            field = Rect(x: rect.x + used, y: rect.y, width: rect.width - used, height: 1)
        } else {
            Box.draw(rect, title: "Question", focused: focused, into: &buffer)
            let inner = rect.inner
            let p = buffer.write(prompt, x: inner.x, y: inner.y, style: CellStyle([.bold], .title))
            field = Rect(x: inner.x + p, y: inner.y, width: inner.width - p, height: 1)
        }
        guard field.width > 1 else { return }
        if state.question.isEmpty {
            let hint = focused ? "Type a question and press Enter" : "Press i to type a question"
            buffer.write(hint, x: field.x, y: field.y, style: CellStyle([.dim], .muted), maxWidth: field.width)
            if focused { buffer.cursor = CursorPosition(x: field.x, y: field.y) }
            return
        }
        let (text, cursorColumn) = state.question.window(width: field.width)
        buffer.write(text, x: field.x, y: field.y, maxWidth: field.width)
        if focused { buffer.cursor = CursorPosition(x: field.x + cursorColumn, y: field.y) }
    }
}
