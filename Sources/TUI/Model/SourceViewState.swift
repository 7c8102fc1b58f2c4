import Core

/// The source viewer: a document, the cited passage highlighted, and the other passages
/// the same answer cites, for `n`/`N`.
struct SourceViewState: Hashable, Sendable {
    var document: SourceDocument
    /// The answer's citations, in order; `n`/`N` walk through them.
    var citations: [Citation]
    /// The citation being shown (`Citation.n`).
    var citationNumber: Int
    /// UTF-8 byte offsets of the highlighted passage in `document.documentText`.
    var highlight: Range<Int>
    /// The document as characters, with widths and byte offsets (computed once on load).
    var text: DocumentText
    /// Wrapped lines for `wrapWidth`, recomputed when the width changes.
    var wrapWidth: Int
    var lines: [Range<Int>]
    /// First visible line.
    var scroll: Int

    init(document: SourceDocument, citations: [Citation], citationNumber: Int, highlight: Range<Int>) {
        self.document = document
        self.citations = citations
        self.citationNumber = citationNumber
        self.highlight = highlight
        text = DocumentText(document.documentText)
        wrapWidth = 0
        lines = []
        scroll = 0
    }

    /// Rewraps for a new width (a no-op when unchanged).
    mutating func layout(width: Int) {
        guard width != wrapWidth || lines.isEmpty else { return }
        wrapWidth = width
        lines = TextWrap.lines(characters: text.characters, widths: text.widths, width: width)
    }

    /// The wrapped line where the highlighted passage starts.
    var highlightLine: Int {
        TextWrap.line(containing: text.characterIndex(atByteOffset: highlight.lowerBound), in: lines)
    }

    /// Scrolls so the passage starts a little below the top of a pane `height` rows tall.
    mutating func scrollToHighlight(height: Int) {
        scroll = clampScroll(highlightLine - min(2, max(0, height / 4)), height: height)
    }

    func clampScroll(_ value: Int, height: Int) -> Int {
        max(0, min(value, max(0, lines.count - height)))
    }
}
