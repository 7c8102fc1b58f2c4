/// Every key, grouped by where it works: the single source for the `?` overlay.
///
/// The scheme follows lazygit and k9s: the question line is a text field (keys type
/// text); Esc leaves it for navigation, where single letters are commands; `i`, `:` or
/// Enter come back to it. `q` and Ctrl-C quit from anywhere outside text fields (asking
/// first while an answer streams); Esc goes back.
enum KeyBindings {
    struct Section: Sendable {
        var title: String
        var keys: [(String, String)]
    }

    static let sections: [Section] = [
        Section(
            title: "Everywhere",
            keys: [
                ("?  F1", "this help (outside text fields)"),
                ("q  Ctrl-C", "quit (asks while an answer streams)"),
                ("Esc", "back: leave a field, close a view"),
                ("Tab  Shift-Tab", "next / previous pane"),
                ("h  Ctrl-R", "history of past questions"),
                ("e", "export the answer and citations to Markdown"),
                ("Ctrl-L", "redraw the screen"),
            ]),
        Section(
            title: "Question line (focused at start)",
            keys: [
                ("Enter", "ask"),
                ("←  →  Home  End", "move the cursor"),
                ("Ctrl-A  Ctrl-E", "start / end of line"),
                ("Ctrl-B  Ctrl-F", "back / forward one character"),
                ("Ctrl-K  Ctrl-U", "delete to end / to start"),
                ("Ctrl-W", "delete the previous word"),
                ("Backspace  Delete  Ctrl-D", "delete a character"),
                ("↑  ↓", "previous / next past question"),
                ("PgUp  PgDn", "scroll the answer while typing"),
            ]),
        Section(
            title: "Answer and Citations panes",
            keys: [
                ("i  :  Enter", "type a new question on an empty line; ↑ recalls the last (Enter on a citation opens it)"),
                ("j k  ↓ ↑", "scroll the answer / move in the citations"),
                ("PgDn  PgUp  Space", "page down / up"),
                ("Ctrl-F  Ctrl-B", "page down / up"),
                ("Ctrl-D  Ctrl-U", "half page down / up"),
                ("g  G  Home  End", "top / bottom"),
                ("1-9", "open source n (offline: past question n)"),
                ("/", "search the answer; n / N next / previous match"),
                ("r", "ask again, bypassing the cache"),
            ]),
        Section(
            title: "Source viewer",
            keys: [
                ("n  N", "next / previous supporting sentence, then passage (or search match)"),
                ("]  [", "next / previous cited passage"),
                ("1-9", "jump to citation n"),
                ("j k  PgDn PgUp  g G", "scroll"),
                ("/", "search the document"),
                ("Esc", "clear the search, then back to the answer"),
            ]),
        Section(
            title: "History",
            keys: [
                ("/", "filter as you type; Enter opens, Esc stops"),
                ("j k  ↓ ↑  g G", "select"),
                ("Enter", "open the stored answer"),
                ("r", "reload"),
                ("Esc", "back"),
            ]),
    ]

    /// The help text as lines of (key column, description), then the legend of highlights,
    /// whose key column is a sample drawn in its own `sampleStyle`.
    static var lines: [(key: String, text: String, sampleStyle: CellStyle?)] {
        var out: [(String, String, CellStyle?)] = []
        for (i, section) in sections.enumerated() {
            if i > 0 { out.append(("", "", nil)) }
            out.append((section.title, "", nil))
            out.append(contentsOf: section.keys.map { ($0.0, $0.1, nil) })
        }
        out.append(("", "", nil))
        out.append((HighlightStyles.legendTitle, "", nil))
        out.append(contentsOf: HighlightStyles.legend.map { ($0.sample, $0.meaning, $0.style) })
        return out
    }
}
