import Core
import Foundation

/// The citations pane: number, title, section and score of each source.
enum CitationsView {
    static func draw(_ state: AppState, frame: Rect, content: Rect, into buffer: inout ScreenBuffer) {
        let focused = state.focus == .citations && state.screen == .main
        let citations = state.phase.citations
        let heading = state.phase.showsNearestSources ? "Citations (nearest, not support)" : "Citations"
        Box.pane(frame, title: heading, focused: focused, screenReader: state.info.screenReader, into: &buffer)
        guard !content.isEmpty else { return }
        if citations.isEmpty {
            let empty = state.phase.isStreaming ? "Waiting for sources…" : "No citations yet."
            buffer.write(empty, x: content.x, y: content.y, style: CellStyle([.dim], .muted), maxWidth: content.width)
            return
        }
        let selection = max(0, min(state.citationSelection, citations.count - 1))
        // A narrow side pane with room to spare shows each source on two lines (title, then
        // section and score), so neither is cut short.
        let twoLine = !state.info.screenReader && content.width < 60 && content.height >= 2 * citations.count
        let perRow = twoLine ? 2 : 1
        let visible = max(1, content.height / perRow)
        let top = max(0, min(selection - visible + 1, citations.count - visible))
        for k in 0..<visible {
            let i = top + k
            guard i < citations.count else { break }
            let c = citations[i]
            let y = content.y + k * perRow
            let selected = focused && i == selection
            let style = CellStyle(selected ? [.reverse] : [], selected ? .selection : .normal)
            if selected { buffer.fill(Rect(x: content.x, y: y, width: content.width, height: perRow), style: style) }
            var x = content.x
            if state.info.screenReader { x += buffer.write(selected ? "> " : "  ", x: x, y: y, style: style) }
            let score = String(format: "%.2f", c.score)
            let right = state.info.screenReader ? "score \(score)" : score
            let marker = "[\(c.n)] "
            x += buffer.write(marker, x: x, y: y, style: style.adding(.bold))
            if twoLine {
                buffer.write(StatusBarView.truncate(c.title, to: content.maxX - x), x: x, y: y, style: style)
                let indent = content.x + DisplayWidth.of(marker)
                let scoreWidth = DisplayWidth.of(score)
                if !c.section.isEmpty {
                    buffer.write(
                        StatusBarView.truncate(c.section, to: max(0, content.maxX - indent - scoreWidth - 1)),
                        x: indent, y: y + 1, style: style.adding(.dim))
                }
                buffer.write(score, x: content.maxX - scoreWidth, y: y + 1, style: style.adding(.dim))
                continue
            }
            // One line: `Title › Section`.
            let rest = c.section.isEmpty ? c.title : "\(c.title) › \(c.section)"
            let rightWidth = DisplayWidth.of(right)
            let showScore = content.maxX - x - rightWidth - 1 > 8
            let space = showScore ? content.maxX - x - rightWidth - 1 : content.maxX - x
            buffer.write(StatusBarView.truncate(rest, to: max(0, space)), x: x, y: y, style: style, maxWidth: max(0, space))
            if showScore { buffer.write(right, x: content.maxX - rightWidth, y: y, style: style.adding(.dim)) }
        }
    }
}
