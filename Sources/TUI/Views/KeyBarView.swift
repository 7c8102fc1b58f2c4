/// The bottom line: the keys that matter right now, like lazygit's and k9s's hint bars.
enum KeyBarView {
    static func hints(_ state: AppState) -> [(key: String, action: String)] {
        if let overlay = state.overlay {
            switch overlay {
            case .help: return [("Esc", "close"), ("j/k", "scroll")]
            case .confirmQuit: return [("y", "quit"), ("n", "stay")]
            }
        }
        if let search = state.search, search.editing {
            return [("Enter", "find"), ("Esc", "cancel")]
        }
        switch state.screen {
        case .source:
            // n/N follow the search while one is active, as the source keys do.
            if searching(state, .source) {
                return [
                    ("n/N", "next/prev match"), ("Esc", "end search"), ("j/k", "scroll"), ("/", "new search"),
                    ("]/[", "next/prev passage"), ("1-9", "citation"), ("?", "help"), ("q", "quit"),
                ]
            }
            let stepping = state.source.map { !$0.supporting.isEmpty } == true ? "next/prev sentence" : "next/prev passage"
            return [
                ("Esc", "back"), ("j/k", "scroll"), ("n/N", stepping), ("1-9", "citation"),
                ("/", "search"), ("e", "export"), ("?", "help"), ("q", "quit"),
            ]
        case .history:
            if state.history.filterEditing {
                return [("type", "filter"), ("↑/↓", "select"), ("Enter", "open"), ("Esc", "stop filtering")]
            }
            return [("Enter", "open"), ("/", "filter"), ("j/k", "select"), ("Esc", "back"), ("?", "help"), ("q", "quit")]
        case .main:
            switch state.focus {
            case .question:
                return [
                    ("Enter", "ask"), ("Esc", "navigate"), ("↑/↓", "past questions"), ("Tab", "pane"),
                    ("Ctrl-R", "history"), ("Ctrl-C", "quit"),
                ]
            case .answer where searching(state, .answer):
                return [
                    ("n/N", "next/prev match"), ("Esc", "end search"), ("j/k", "scroll"), ("/", "new search"),
                    ("i", "ask"), ("1-9", "source"), ("?", "help"), ("q", "quit"),
                ]
            case .answer:
                return [
                    ("i", "ask"), ("j/k", "scroll"), ("1-9", "source"), ("Tab", "pane"), ("/", "search"),
                    ("e", "export"), ("h", "history"), ("?", "help"), ("q", "quit"),
                ]
            case .citations:
                return [
                    ("Enter", "open source"), ("j/k", "select"), ("1-9", "source"), ("Tab", "pane"),
                    ("e", "export"), ("h", "history"), ("?", "help"), ("q", "quit"),
                ]
            }
        }
    }

    /// A search term is set on `target` (typing it is over): `n`/`N` step through its matches.
    static func searching(_ state: AppState, _ target: SearchState.Target) -> Bool {
        guard let search = state.search else { return false }
        return search.target == target && !search.editing && !search.term.isEmpty
    }

    static func draw(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        var x = rect.x
        let screenReader = state.info.screenReader
        if screenReader { x += buffer.write("Keys: ", x: x, y: rect.y, maxWidth: rect.width) }
        for (i, hint) in hints(state).enumerated() {
            let piece = DisplayWidth.of(hint.key) + 1 + DisplayWidth.of(hint.action) + (i == 0 ? 0 : 2)
            if x + piece > rect.maxX { break }
            if i > 0 { x += buffer.write(screenReader ? ", " : "  ", x: x, y: rect.y) }
            x += buffer.write(hint.key, x: x, y: rect.y, style: CellStyle([.bold], .keyHint))
            x += buffer.write(" " + hint.action, x: x, y: rect.y, style: CellStyle([], .muted))
        }
    }
}
