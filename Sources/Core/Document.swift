/// A source document as ingested: a Markdown/text file or one line of a JSONL corpus.
public struct Document: Codable, Sendable, Hashable {
    /// Stable identifier: the JSONL `id`, or the file path relative to the ingested folder.
    public var id: String
    public var title: String
    /// The full text. Chunk offsets index into its UTF-8 bytes.
    public var text: String
    public var metadata: [String: JSONValue]
    /// Where it came from (a file path), when known.
    public var sourcePath: String?

    public init(id: String, title: String, text: String, metadata: [String: JSONValue] = [:], sourcePath: String? = nil) {
        self.id = id
        self.title = title
        self.text = text
        self.metadata = metadata
        self.sourcePath = sourcePath
    }

    enum CodingKeys: String, CodingKey {
        case id, title, text, metadata
        case sourcePath = "source_path"
    }
}
