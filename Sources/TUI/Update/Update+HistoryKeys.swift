extension Update {
    /// Keys in the history view. `/` focuses the filter, which narrows the list as you type;
    /// Enter opens the selected stored answer whether or not the filter is focused.
    enum HistoryKeys {
        static func handle(_ key: Key, _ s: inout AppState) -> [Effect] {
            let height = max(1, Geometry.body(s).content.height)
            if s.history.filterEditing {
                switch key {
                case .enter: return openSelected(&s)
                case .escape, .tab: s.history.filterEditing = false
                case .up, .control("p"): move(by: -1, &s)
                case .down, .control("n"): move(by: 1, &s)
                case .pageUp: move(by: -height, &s)
                case .pageDown: move(by: height, &s)
                default:
                    if LineEditing.apply(key, to: &s.history.filter) {
                        s.history.selection = 0
                    }
                }
                return []
            }
            switch key {
            case .enter: return openSelected(&s)
            case .character("/"): s.history.filterEditing = true
            case .character("j"), .down: move(by: 1, &s)
            case .character("k"), .up: move(by: -1, &s)
            case .pageDown, .character(" "), .control("f"): move(by: height - 1, &s)
            case .pageUp, .control("b"): move(by: -(height - 1), &s)
            case .character("g"), .home: s.history.selection = 0
            case .character("G"), .end: s.history.selection = max(0, s.history.filtered.count - 1)
            case .character("r"):
                s.history.entries = nil
                return [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .browse)]
            case .escape, .character("h"), .control("r"):
                if key == .escape && !s.history.filter.isEmpty {
                    s.history.filter = LineEditor()
                    s.history.selection = 0
                } else {
                    s.screen = .main
                }
            case .character("?"), .function(1): s.overlay = .help(scroll: 0)
            case .character("q"): return Keys.requestQuit(&s)
            default: break
            }
            return []
        }

        static func move(by delta: Int, _ s: inout AppState) {
            s.history.selection += delta
            s.history.clampSelection()
        }

        static func openSelected(_ s: inout AppState) -> [Effect] {
            guard let entry = s.history.selectedEntry else { return [] }
            s.history.filterEditing = false
            return Keys.openHistoryEntry(entry, &s)
        }
    }
}
