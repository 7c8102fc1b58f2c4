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

    /// Screen-reader mode labels the passage in the text, since reverse video is not read aloud.
    var screenReader: Bool

    static let passageStartLabel = "[cited passage] "
    static let passageEndLabel = " [end of cited passage]"

    init(document: SourceDocument, citations: [Citation], citationNumber: Int, highlight: Range<Int>, screenReader: Bool) {
        self.document = document
        self.citations = citations
        self.citationNumber = citationNumber
        self.highlight = Self.validated(highlight, in: document)
        self.screenReader = screenReader
        text = DocumentText("")
        wrapWidth = 0
        lines = []
        scroll = 0
        rebuildText()
    }

    /// Offsets outside the document fall back to the document's own passage offsets.
    static func validated(_ range: Range<Int>, in document: SourceDocument) -> Range<Int> {
        let total = document.documentText.utf8.count
        if range.lowerBound >= 0, range.upperBound <= total, !range.isEmpty { return range }
        let start = max(0, min(document.start, total)), end = max(start, min(document.end, total))
        return start..<end
    }

    private mutating func rebuildText() {
        let markers: [(offset: Int, text: String)] = screenReader
            ? [(highlight.lowerBound, Self.passageStartLabel), (highlight.upperBound, Self.passageEndLabel)]
            : []
        text = DocumentText(document.documentText, markers: markers)
        wrapWidth = 0
        lines = []
    }

    /// Moves the highlight to another passage of the same document.
    mutating func show(citation number: Int, highlight range: Range<Int>) {
        citationNumber = number
        highlight = Self.validated(range, in: document)
        if screenReader {
            let width = wrapWidth
            rebuildText()
            layout(width: width)
        }
    }

    /// Byte ranges of the other passages this answer cites in the same document.
    var otherCitedRanges: [Range<Int>] {
        citations.filter { $0.sourceID == document.documentID && $0.n != citationNumber }
            .map { range(for: $0) }
            .filter { !$0.isEmpty && $0 != highlight }
    }

    /// A citation's passage in this document: the span with its chunk id, else its own offsets.
    func range(for citation: Citation) -> Range<Int> {
        if let span = document.spans.first(where: { $0.chunkID == citation.chunkID }), span.end > span.start {
            return span.start..<span.end
        }
        return citation.start..<max(citation.start, citation.end)
    }

    /// Rewraps for a new width (a no-op when unchanged).
    mutating func layout(width: Int) {
        guard width > 0, width != wrapWidth || lines.isEmpty else { return }
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
