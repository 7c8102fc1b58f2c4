/// A cited passage shown inside its document: the body of `GET /v1/sources/{chunk_id}`.
public struct SourceDocument: Codable, Sendable, Hashable {
    /// One passage of the document, for moving between passages in a viewer.
    public struct Span: Codable, Sendable, Hashable {
        public var chunkID: Int64
        public var section: String
        public var start: Int
        public var end: Int
        public init(chunkID: Int64, section: String, start: Int, end: Int) {
            self.chunkID = chunkID
            self.section = section
            self.start = start
            self.end = end
        }
        enum CodingKeys: String, CodingKey {
            case section, start, end
            case chunkID = "chunk_id"
        }
    }

    public var chunkID: Int64
    public var documentID: String
    public var title: String
    public var section: String
    /// The passage itself (equal to `documentText` between `start` and `end`).
    public var passage: String
    /// The whole document.
    public var documentText: String
    /// UTF-8 byte offsets of the passage in `documentText`.
    public var start: Int
    public var end: Int
    public var metadata: [String: JSONValue]
    public var spans: [Span]

    public init(
        chunkID: Int64, documentID: String, title: String, section: String, passage: String, documentText: String,
        start: Int, end: Int, metadata: [String: JSONValue] = [:], spans: [Span] = []
    ) {
        self.chunkID = chunkID
        self.documentID = documentID
        self.title = title
        self.section = section
        self.passage = passage
        self.documentText = documentText
        self.start = start
        self.end = end
        self.metadata = metadata
        self.spans = spans
    }

    enum CodingKeys: String, CodingKey {
        case title, section, passage, start, end, metadata, spans
        case chunkID = "chunk_id"
        case documentID = "document_id"
        case documentText = "document_text"
    }
}

/// The body of `GET /v1/history`.
public struct HistoryPage: Codable, Sendable, Hashable {
    public var items: [HistoryEntry]
    public init(items: [HistoryEntry]) { self.items = items }
}
