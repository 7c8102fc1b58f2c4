import Core

extension Update {
    /// Keys in the source viewer.
    enum SourceKeys {
        static func handle(_ key: Key, _ s: inout AppState) -> [Effect] {
            guard let v = s.source else {
                s.screen = .main
                return []
            }
            let height = max(1, Geometry.body(s).content.height)
            let page = max(1, height - 1)
            let searching = s.search.map { $0.target == .source && !$0.term.isEmpty } ?? false
            var scroll: Int?
            switch key {
            case .escape:
                if s.search != nil {
                    s.search = nil
                } else {
                    s.screen = .main
                    s.source = nil
                }
            case .character("j"), .down: scroll = v.scroll + 1
            case .character("k"), .up: scroll = v.scroll - 1
            case .pageDown, .character(" "), .control("f"): scroll = v.scroll + page
            case .pageUp, .control("b"): scroll = v.scroll - page
            case .control("d"): scroll = v.scroll + page / 2
            case .control("u"): scroll = v.scroll - page / 2
            case .character("g"), .home: scroll = 0
            case .character("G"), .end: scroll = v.lines.count
            case .character("n") where searching: Search.step(1, &s)
            case .character("N") where searching: Search.step(-1, &s)
            case .character("n"): return stepSpan(1, &s)
            case .character("N"): return stepSpan(-1, &s)
            case .character("]"): return stepPassage(1, &s)
            case .character("["): return stepPassage(-1, &s)
            case .character(let c) where c.isASCII && c.isNumber && c != "0":
                let n = Int(String(c)) ?? 1
                guard let target = v.citations.first(where: { $0.n == n }) else {
                    Update.show("There is no citation [\(n)].", error: false, &s)
                    return []
                }
                return show(target, &s)
            case .character("/"): s.search = SearchState(target: .source)
            case .character("e"): return Keys.export(&s)
            case .character("h"), .control("r"): return Keys.openHistory(&s)
            case .character("?"), .function(1): s.overlay = .help(scroll: 0)
            case .character("q"): return Keys.requestQuit(&s)
            default: break
            }
            if let scroll { s.source?.scroll = v.clampScroll(scroll, height: height) }
            return []
        }

        /// `n`/`N`: the next or previous sentence that backs the answer in this passage; past
        /// the last (or before the first), the next (previous) passage this answer cites.
        static func stepSpan(_ delta: Int, _ s: inout AppState) -> [Effect] {
            guard var v = s.source else { return [] }
            if v.stepSpan(delta, height: max(1, Geometry.body(s).content.height)) {
                s.source = v
                return []
            }
            return stepPassage(delta, &s)
        }

        /// `]`/`[` (and `n`/`N` past the supporting sentences): the next or previous passage
        /// this answer cites; going back lands on its last supporting sentence.
        static func stepPassage(_ delta: Int, _ s: inout AppState) -> [Effect] {
            guard let v = s.source, !v.citations.isEmpty else { return [] }
            let i = v.citations.firstIndex { $0.n == v.citationNumber } ?? 0
            let next = ((i + delta) % v.citations.count + v.citations.count) % v.citations.count
            return show(v.citations[next], lastSpan: delta < 0, &s)
        }

        /// Shows a cited passage: in place when it is in this document, else loads its document.
        static func show(_ c: Citation, lastSpan: Bool = false, _ s: inout AppState) -> [Effect] {
            guard var v = s.source else { return [] }
            let sameDocument =
                c.sourceID == v.document.documentID
                && (c.chunkID == v.document.chunkID || v.document.spans.contains { $0.chunkID == c.chunkID } || c.end > c.start)
            guard sameDocument else { return Keys.openCitation(c, from: v.citations, &s) }
            let range = c.chunkID == v.document.chunkID ? v.document.start..<max(v.document.start, v.document.end) : v.range(for: c)
            v.show(citation: c.n, highlight: range, lastSpan: lastSpan)
            v.layout(width: max(2, Geometry.body(s).content.width))
            v.scrollToHighlight(height: max(1, Geometry.body(s).content.height))
            s.source = v
            return []
        }
    }
}
