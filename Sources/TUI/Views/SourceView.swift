/// The source viewer: the whole document, scrolled to the cited passage. The sentences of
/// the passage that back the answer are shown strongly (reverse video), the rest of the
/// passage lightly (bold); an answer stored before spans shows its whole passage strongly.
/// For screen readers the passage and each supporting sentence sit between labels.
enum SourceView {
    static func searchMatches(_ state: AppState, _ v: SourceViewState) -> [Range<Int>] {
        guard let search = state.search, search.target == .source, !search.term.isEmpty else { return [] }
        return TextSearch.matches(of: search.term, in: v.text.folded)
    }

    static func header(_ state: AppState, _ v: SourceViewState, lines: Int, top: Int, height: Int) -> String {
        var parts: [String] = []
        let section = v.citations.first(where: { $0.n == v.citationNumber })?.section ?? v.document.section
        if !section.isEmpty { parts.append("Section: \(section)") }
        if let k = v.citations.firstIndex(where: { $0.n == v.citationNumber }) {
            parts.append("passage [\(v.citationNumber)], \(k + 1) of \(v.citations.count)")
        }
        if !v.supporting.isEmpty {
            let count = v.supporting.count
            parts.append("supporting sentence \(min(v.spanIndex, count - 1) + 1) of \(count)")
        }
        parts.append("lines \(min(lines, top + 1))-\(min(lines, top + height)) of \(lines)")
        if let search = state.search, search.target == .source, !search.term.isEmpty {
            let count = searchMatches(state, v).count
            parts.append("/\(search.term) " + (count == 0 ? "no match" : "\(min(search.current, count - 1) + 1) of \(count)"))
        }
        return parts.joined(separator: " · ")
    }

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        guard var v = state.source else { return }
        let layout = Geometry.body(state)
        let content = layout.content
        v.layout(width: max(2, content.width))
        Box.pane(
            layout.frame, title: "Source: \(v.document.title)", focused: true, screenReader: state.info.screenReader, announcesFocus: false,
            into: &buffer)
        let top = v.clampScroll(v.scroll, height: content.height)
        buffer.write(
            header(state, v, lines: v.lines.count, top: top, height: content.height),
            x: layout.header.x, y: layout.header.y, style: CellStyle([.dim], .muted), maxWidth: layout.header.width)
        let others = v.otherCitedRanges
        let matches = searchMatches(state, v)
        var matchIndex = 0
        let currentMatch = matches.isEmpty ? -1 : min(state.search?.current ?? 0, matches.count - 1)
        for row in 0..<content.height {
            let lineIndex = top + row
            guard lineIndex < v.lines.count else { break }
            var x = content.x
            let y = content.y + row
            for i in v.lines[lineIndex] {
                let w = Int(v.text.widths[i])
                if w == 0 { continue }
                if x + w > content.maxX { break }
                var style = CellStyle.plain
                if v.text.isCharacter(i, inBytes: v.highlight) {
                    style = v.supporting.isEmpty || v.isSupporting(i) ? HighlightStyles.supporting : HighlightStyles.passage
                } else if others.contains(where: { v.text.isCharacter(i, inBytes: $0) }) {
                    style = HighlightStyles.otherPassage
                }
                while matchIndex < matches.count && matches[matchIndex].upperBound <= i { matchIndex += 1 }
                if matchIndex < matches.count && matches[matchIndex].contains(i) {
                    style =
                        matchIndex == currentMatch
                        ? HighlightStyles.currentMatch(over: style) : HighlightStyles.match(over: style)
                }
                x += buffer.put(v.text.characters[i], width: w, x: x, y: y, style: style, clipMaxX: content.maxX)
            }
        }
    }
}
