import Foundation
import Core

/// The citations pane: number, title, section and score of each source.
enum CitationsView {
    static let title = "Citations"

    /// One row of the list: `[1] Title › Section` and the score, right-aligned.
    static func row(_ c: Citation, width: Int) -> (left: String, right: String) {
        let section = c.section.isEmpty ? "" : " › \(c.section)"
        return ("[\(c.n)] \(c.title)\(section)", String(format: "%.2f", c.score))
    }

    static func draw(_ state: AppState, frame: Rect, content: Rect, into buffer: inout ScreenBuffer) {
        let focused = state.focus == .citations && state.screen == .main
        let citations = state.phase.citations
        let nearest = state.phase.showsNearestSources
        let heading = nearest ? "\(title) (nearest, not support)" : title
        if state.info.screenReader {
            buffer.write(heading + (focused ? " (focused):" : ":"), x: frame.x, y: frame.y,
                         style: CellStyle([.bold], .title), maxWidth: frame.width)
        } else {
            Box.draw(frame, title: heading, focused: focused, into: &buffer)
        }
        guard !content.isEmpty else { return }
        if citations.isEmpty {
            let empty = state.phase.isStreaming ? "Waiting for sources…" : "No citations yet."
            buffer.write(empty, x: content.x, y: content.y, style: CellStyle([.dim], .muted), maxWidth: content.width)
            return
        }
        let selection = max(0, min(state.citationSelection, citations.count - 1))
        // Keep the selected row in view.
        let top = max(0, min(selection - content.height + 1, citations.count - content.height))
        for row in 0..<content.height {
            let i = top + max(0, row)
            guard i < citations.count else { break }
            let y = content.y + row
            let selected = focused && i == selection
            let style = CellStyle(selected ? [.reverse] : [], selected ? .selection : .normal)
            if selected { buffer.fill(Rect(x: content.x, y: y, width: content.width, height: 1), style: style) }
            let (left, score) = self.row(citations[i], width: content.width)
            let right = state.info.screenReader ? "score \(score)" : score
            var x = content.x
            if state.info.screenReader { x += buffer.write(selected ? "> " : "  ", x: x, y: y, style: style) }
            let rightWidth = DisplayWidth.of(right)
            let leftSpace = content.maxX - x - rightWidth - 1
            let markerEnd = left.firstIndex(of: " ") ?? left.endIndex
            let marker = String(left[..<markerEnd])
            x += buffer.write(marker, x: x, y: y, style: style.adding(.bold), maxWidth: max(0, leftSpace))
            buffer.write(StatusBarView.truncate(String(left[markerEnd...]), to: max(0, leftSpace - DisplayWidth.of(marker))),
                         x: x, y: y, style: style, maxWidth: max(0, content.maxX - x - rightWidth - 1))
            if leftSpace > 8 {
                buffer.write(right, x: content.maxX - rightWidth, y: y, style: style.adding(.dim))
            }
        }
    }
}
