/// The exact stretch of a source that backs a sentence of an answer: one sentence (or a
/// run of sentences) of the cited passage, as UTF-8 byte offsets into the *document* text,
/// the same coordinates as `Citation.start`/`end`. A span always lies inside the passage of
/// citation `citation` (`Citation.start <= start < end <= Citation.end`).
public struct SourceSpan: Codable, Sendable, Hashable {
    /// The citation number (`Citation.n`) whose passage holds the span.
    public var citation: Int
    /// The cited document's id (`Citation.sourceID`).
    public var documentID: String
    /// UTF-8 byte offsets in the document.
    public var start: Int
    public var end: Int

    public init(citation: Int, documentID: String, start: Int, end: Int) {
        self.citation = citation
        self.documentID = documentID
        self.start = start
        self.end = end
    }

    enum CodingKeys: String, CodingKey {
        case citation, start, end
        case documentID = "source_id"
    }

    /// Whether the span lies inside the citation's passage (and is not empty).
    public func lies(in c: Citation) -> Bool {
        c.n == citation && c.sourceID == documentID && start >= c.start && end <= c.end && start < end
    }
}

extension Citation {
    /// The text of a span of this passage (its bytes of `text`), nil when the span is not
    /// inside the passage.
    public func quote(_ span: SourceSpan) -> String? {
        guard span.lies(in: self) else { return nil }
        let bytes = Array(text.utf8)
        let a = span.start - start
        let b = span.end - start
        guard a >= 0, b <= bytes.count, a < b else { return nil }
        return String(decoding: bytes[a..<b], as: UTF8.self)
    }
}

extension Answer {
    /// The supporting spans in citation `n`'s passage, over all sentences, in document order,
    /// without repeats.
    public func spans(forCitation n: Int) -> [SourceSpan] {
        var seen = Set<SourceSpan>()
        return sentences.flatMap(\.spans).filter { $0.citation == n && seen.insert($0).inserted }.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }
}
