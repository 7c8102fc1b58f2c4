/// The answer pane's wrapped text and scroll position, shared by the view and `update`.
struct AnswerLayout {
    var text: StyledText
    var lines: [Range<Int>]
    var viewport: Rect
    /// First visible line.
    var top = 0

    init(_ state: AppState) {
        viewport = Geometry.main(state).answerContent
        text = AnswerContent.build(state)
        lines = text.wrapped(width: max(2, viewport.width))
        top = state.answerFollow ? maxTop : max(0, min(state.answerScroll, maxTop))
    }

    var maxTop: Int { max(0, lines.count - max(1, viewport.height)) }
}
