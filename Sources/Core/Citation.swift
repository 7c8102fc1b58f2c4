/// One numbered source of an answer: `[n]` in the answer text points at it.
public struct Citation: Codable, Sendable, Hashable {
    /// The number used in the answer text, from 1.
    public var n: Int
    /// The cited document's id.
    public var sourceID: String
    /// The cited passage (chunk) id, for `GET /v1/sources/{chunk_id}`.
    public var chunkID: Int64
    public var title: String
    public var section: String
    /// Retrieval score (higher is better; BM25 scores are negated into this convention).
    public var score: Double
    /// The cited passage.
    public var text: String
    /// UTF-8 byte offsets of the passage inside its document.
    public var start: Int
    public var end: Int

    public init(n: Int, sourceID: String, chunkID: Int64, title: String, section: String, score: Double, text: String, start: Int, end: Int) {
        self.n = n
        self.sourceID = sourceID
        self.chunkID = chunkID
        self.title = title
        self.section = section
        self.score = score
        self.text = text
        self.start = start
        self.end = end
    }

    enum CodingKeys: String, CodingKey {
        case n, title, section, score, text, start, end
        case sourceID = "source_id"
        case chunkID = "chunk_id"
    }
}
