/// Where each part of a screen goes, for a terminal size. Both views and `update` use it,
/// so scrolling in `update` agrees with what is drawn. The rows every screen shares (status
/// bar, message, key bar) are `Geometry.edges`.
struct MainLayout: Hashable, Sendable {
    var question: Rect
    /// The answer pane's frame (with border) and its text area.
    var answer: Rect
    var answerContent: Rect
    var citations: Rect
    var citationsContent: Rect
}

/// Layout of the full-screen views (source viewer, history).
struct BodyLayout: Hashable, Sendable {
    /// The frame (with border, or the label rows in screen-reader mode).
    var frame: Rect
    /// One line under the title for context (section, filter).
    var header: Rect
    var content: Rect
}

enum Geometry {
    /// Side-by-side answer and citations at or above this width; stacked below it.
    static let sideBySideWidth = 100

    /// Below this height the question line is drawn without a frame.
    static let framedQuestionMinHeight = 16

    /// Most rows a status message takes: a long one (an export's full path, a rejected
    /// token's remedy) wraps instead of being cut at the screen's edge.
    static let maxMessageRows = 3

    /// The rows above the key bar for the status message, nil when there is none.
    static func messageRect(_ state: AppState) -> Rect? {
        guard state.message != nil else { return nil }
        let w = state.size.width
        let rows = max(1, min(maxMessageRows, messageLines(state, width: w).count, state.size.height / 4))
        return Rect(x: 0, y: state.size.height - 1 - rows, width: w, height: rows)
    }

    /// The status message ("Error: " first for an error) wrapped to the screen, one column in.
    static func messageLines(_ state: AppState, width: Int) -> [String] {
        guard let message = state.message else { return [] }
        let inset = state.info.screenReader ? 0 : 1
        return StyledText.wrap((message.isError ? "Error: " : "") + message.text, width: max(8, width - inset - 1))
    }

    /// The rows every screen shares: the status bar on top, the key bar and the message above
    /// it at the bottom; `bottom` is the row below the screen's own panes.
    static func edges(_ state: AppState) -> (status: Rect, message: Rect?, keyBar: Rect, bottom: Int) {
        let w = state.size.width
        let h = state.size.height
        let message = messageRect(state)
        let keyBar = Rect(x: 0, y: h - 1, width: w, height: 1)
        return (Rect(x: 0, y: 0, width: w, height: 1), message, keyBar, h - 1 - (message?.height ?? 0))
    }

    static func main(_ state: AppState) -> MainLayout {
        let w = state.size.width
        let bottom = edges(state).bottom
        let citationCount = max(1, state.phase.citations.count + (state.phase.showsNearestSources ? 1 : 0))

        if state.info.screenReader {
            let question = Rect(x: 0, y: 1, width: w, height: 1)
            // Label rows: "Answer:" and "Citations:".
            let citationRows = min(citationCount, 5)
            let citationsTop = max(3, bottom - citationRows - 1)
            let answer = Rect(x: 0, y: 2, width: w, height: citationsTop - 2)
            let answerContent = Rect(x: 0, y: 3, width: w, height: answer.height - 1)
            let citations = Rect(x: 0, y: citationsTop, width: w, height: bottom - citationsTop)
            let citationsContent = Rect(x: 0, y: citationsTop + 1, width: w, height: citations.height - 1)
            return MainLayout(
                question: question, answer: answer, answerContent: answerContent, citations: citations,
                citationsContent: citationsContent)
        }

        // Short terminals get a one-row question line without a frame, leaving rows for the answer.
        let question = Rect(x: 0, y: 1, width: w, height: state.size.height < framedQuestionMinHeight ? 1 : 3)
        let top = question.maxY
        let region = bottom - top
        var answer: Rect
        var citations: Rect
        if w >= sideBySideWidth {
            let cw = max(34, w * 36 / 100)
            answer = Rect(x: 0, y: top, width: w - cw, height: region)
            citations = Rect(x: w - cw, y: top, width: cw, height: region)
        } else {
            let ch = max(3, min(citationCount + 2, 8, region / 3))
            answer = Rect(x: 0, y: top, width: w, height: region - ch)
            citations = Rect(x: 0, y: top + region - ch, width: w, height: ch)
        }
        return MainLayout(
            question: question, answer: answer, answerContent: answer.inner, citations: citations, citationsContent: citations.inner)
    }

    static func body(_ state: AppState) -> BodyLayout {
        let w = state.size.width
        let bottom = edges(state).bottom
        let frame = Rect(x: 0, y: 1, width: w, height: bottom - 1)
        if state.info.screenReader {
            let header = Rect(x: 0, y: 2, width: w, height: 1)
            let content = Rect(x: 0, y: 3, width: w, height: bottom - 3)
            return BodyLayout(frame: frame, header: header, content: content)
        }
        let inner = frame.inner
        let header = Rect(x: inner.x, y: inner.y, width: inner.width, height: 1)
        let content = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 1)
        return BodyLayout(frame: frame, header: header, content: content)
    }
}
