import Core

/// The source viewer: a document, the cited passage highlighted (the sentences that back
/// the answer strongly, the rest of the passage lightly), and the other passages the same
/// answer cites; `n`/`N` step through the supporting sentences, then on to the next passage.
struct SourceViewState: Hashable, Sendable {
    var document: SourceDocument
    /// The answer's citations, in order; `n`/`N` walk through them.
    var citations: [Citation]
    /// The citation being shown (`Citation.n`).
    var citationNumber: Int
    /// UTF-8 byte offsets of the highlighted passage in `document.documentText`.
    var highlight: Range<Int>
    /// Every supporting span of the answer (all citations, all documents).
    var answerSpans: [SourceSpan]
    /// The shown citation's supporting sentences in this document, each inside the passage,
    /// in document order; empty for answers stored before spans (the whole passage is strong).
    var supporting: [Range<Int>]
    /// The supporting sentence `n`/`N` last moved to.
    var spanIndex = 0
    /// The document as characters, with widths and byte offsets (computed once on load).
    var text = DocumentText("")
    /// Wrapped lines for `wrapWidth`, recomputed when the width changes.
    var wrapWidth = 0
    var lines: [Range<Int>] = []
    /// First visible line.
    var scroll = 0

    /// Screen-reader mode labels the passage in the text, since reverse video is not read aloud.
    var screenReader: Bool

    init(
        document: SourceDocument, citations: [Citation], citationNumber: Int, highlight: Range<Int>, screenReader: Bool,
        spans: [SourceSpan] = []
    ) {
        self.document = document
        self.citations = citations
        self.citationNumber = citationNumber
        self.highlight = Self.validated(highlight, in: document)
        self.screenReader = screenReader
        answerSpans = spans
        supporting = Self.supportingRanges(spans, citation: citationNumber, documentID: document.documentID, passage: self.highlight)
        rebuildText()
    }

    /// Offsets outside the document fall back to the document's own passage offsets.
    static func validated(_ range: Range<Int>, in document: SourceDocument) -> Range<Int> {
        let total = document.documentText.utf8.count
        if range.lowerBound >= 0, range.upperBound <= total, !range.isEmpty { return range }
        let start = max(0, min(document.start, total))
        let end = max(start, min(document.end, total))
        return start..<end
    }

    /// The shown citation's spans that lie in this document and inside its passage (the
    /// passage as the document places it), in order, without overlaps.
    static func supportingRanges(_ all: [SourceSpan], citation: Int, documentID: String, passage: Range<Int>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        let spans = all.filter { $0.citation == citation && $0.documentID == documentID }.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        for span in spans where span.start >= passage.lowerBound && span.end <= passage.upperBound && span.start < span.end {
            if let last = out.last, span.start < last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, span.end)
            } else {
                out.append(span.start..<span.end)
            }
        }
        return out
    }

    /// Where the reader's attention goes: the current supporting sentence, else the passage.
    var focus: Range<Int> {
        supporting.indices.contains(spanIndex) ? supporting[spanIndex] : highlight
    }

    /// Whether character `i` is in a supporting sentence (strong) or only in the passage (light).
    func isSupporting(_ i: Int) -> Bool {
        supporting.contains { text.isCharacter(i, inBytes: $0) }
    }

    private mutating func rebuildText() {
        var markers: [(offset: Int, rank: Int, text: String)] = []
        if screenReader {
            markers = [(highlight.lowerBound, 2, "[cited passage] "), (highlight.upperBound, 1, " [end of cited passage]")]
            for r in supporting {
                markers.append((r.lowerBound, 3, "[supporting sentence] "))
                markers.append((r.upperBound, 0, " [end of supporting sentence]"))
            }
            // At one offset: ends close before starts open, the passage outside the sentence.
            markers.sort { ($0.offset, $0.rank) < ($1.offset, $1.rank) }
        }
        text = DocumentText(document.documentText, markers: markers.map { ($0.offset, $0.text) })
        wrapWidth = 0
        lines = []
    }

    /// Moves the highlight to another passage of the same document.
    mutating func show(citation number: Int, highlight range: Range<Int>, lastSpan: Bool = false) {
        citationNumber = number
        highlight = Self.validated(range, in: document)
        supporting = Self.supportingRanges(answerSpans, citation: number, documentID: document.documentID, passage: highlight)
        spanIndex = lastSpan ? max(0, supporting.count - 1) : 0
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

    /// The wrapped line where the current supporting sentence (else the passage) starts.
    var focusLine: Int {
        TextWrap.line(containing: text.characterIndex(atByteOffset: focus.lowerBound), in: lines)
    }

    /// Scrolls so the current supporting sentence (else the passage) starts a little below
    /// the top of a pane `height` rows tall; the passage start stays in view when it fits.
    mutating func scrollToHighlight(height: Int) {
        let margin = min(2, max(0, height / 4))
        var top = focusLine - margin
        if highlightLine < top, focusLine - highlightLine < height - margin { top = highlightLine - margin }
        scroll = clampScroll(top, height: height)
    }

    /// `n`/`N` inside the passage: moves to the next or previous supporting sentence; false
    /// when there is none that way (the caller moves on to another passage).
    mutating func stepSpan(_ delta: Int, height: Int) -> Bool {
        let next = spanIndex + delta
        guard supporting.indices.contains(next) else { return false }
        spanIndex = next
        let line = focusLine
        if line < scroll || line >= scroll + height { scroll = clampScroll(line - min(2, max(0, height / 4)), height: height) }
        return true
    }

    func clampScroll(_ value: Int, height: Int) -> Int {
        max(0, min(value, max(0, lines.count - height)))
    }
}
