/// The answer pane's wrapped text and scroll position, shared by the view and `update`.
struct AnswerLayout {
    var text: StyledText
    var lines: [Range<Int>]
    var viewport: Rect
    /// First visible line.
    var top: Int

    init(_ state: AppState) {
        let layout = Geometry.main(state)
        viewport = layout.answerContent
        text = AnswerContent.build(state)
        lines = text.wrapped(width: max(2, viewport.width))
        top = AnswerLayout.top(scroll: state.answerScroll, follow: state.answerFollow, lines: lines.count, height: viewport.height)
    }

    static func top(scroll: Int, follow: Bool, lines: Int, height: Int) -> Int {
        let maxTop = max(0, lines - max(1, height))
        return follow ? maxTop : max(0, min(scroll, maxTop))
    }

    var maxTop: Int { max(0, lines.count - max(1, viewport.height)) }
}
