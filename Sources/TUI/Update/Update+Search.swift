extension Update {
    /// `/` search in the answer pane or the source viewer; `n`/`N` step through matches.
    enum Search {
        static func promptKey(_ key: Key, _ s: inout AppState) -> [Effect] {
            guard var search = s.search else { return [] }
            switch key {
            case .enter:
                search.editing = false
                if search.term.isEmpty {
                    s.search = nil
                    return []
                }
                search.current = 0
                s.search = search
                jumpToFirstVisibleMatch(&s)
            case .escape:
                s.search = nil
            case .backspace where search.editor.isEmpty:
                s.search = nil
            default:
                _ = LineEditing.apply(key, to: &search.editor)
                s.search = search
            }
            return []
        }

        /// Character ranges of the matches in the current target.
        static func matches(_ s: AppState) -> (ranges: [Range<Int>], lines: [Range<Int>]) {
            guard let search = s.search else { return ([], []) }
            switch search.target {
            case .answer:
                let layout = AnswerLayout(s)
                return (AnswerContent.searchMatches(s, in: layout.text), layout.lines)
            case .source:
                guard let v = s.source else { return ([], []) }
                return (SourceView.searchMatches(s, v), v.lines)
            }
        }

        private static func jumpToFirstVisibleMatch(_ s: inout AppState) {
            let (ranges, lines) = matches(s)
            guard !ranges.isEmpty else {
                Update.show("Pattern not found: \(s.search?.term ?? "")", error: false, &s)
                return
            }
            let top: Int
            switch s.search?.target {
            case .answer?: top = AnswerLayout(s).top
            case .source?: top = s.source?.scroll ?? 0
            case nil: top = 0
            }
            let first = ranges.firstIndex { TextWrap.line(containing: $0.lowerBound, in: lines) >= top } ?? 0
            s.search?.current = first
            reveal(line: TextWrap.line(containing: ranges[first].lowerBound, in: lines), &s)
        }

        /// `n` (+1) / `N` (-1): the next or previous match, wrapping around.
        static func step(_ delta: Int, _ s: inout AppState) {
            guard let search = s.search, !search.term.isEmpty else {
                Update.show("Press / to search.", error: false, &s)
                return
            }
            let (ranges, lines) = matches(s)
            guard !ranges.isEmpty else {
                Update.show("Pattern not found: \(search.term)", error: false, &s)
                return
            }
            let next = ((search.current + delta) % ranges.count + ranges.count) % ranges.count
            s.search?.current = next
            reveal(line: TextWrap.line(containing: ranges[next].lowerBound, in: lines), &s)
        }

        /// Scrolls the target so the line is in view, one line below the top.
        private static func reveal(line: Int, _ s: inout AppState) {
            switch s.search?.target {
            case .answer?:
                let layout = AnswerLayout(s)
                if line < layout.top || line >= layout.top + layout.viewport.height {
                    s.answerScroll = max(0, min(line - 1, layout.maxTop))
                }
                s.answerFollow = false
            case .source?:
                guard var v = s.source else { return }
                let height = Geometry.body(s).content.height
                if line < v.scroll || line >= v.scroll + height { v.scroll = v.clampScroll(line - 1, height: height) }
                s.source = v
            case nil:
                break
            }
        }
    }
}
