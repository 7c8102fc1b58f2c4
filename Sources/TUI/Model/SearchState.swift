/// `/` search inside the answer or the source document, with `n`/`N` between matches.
struct SearchState: Hashable, Sendable {
    enum Target: Hashable, Sendable {
        case answer
        case source
    }

    var target: Target
    var editor = LineEditor()
    /// True while the search term is being typed.
    var editing = true
    /// Index of the current match among all matches.
    var current = 0

    var term: String { editor.text }
}
