import Foundation

/// A workstation's copy of what one gateway gave one subject: whole answers and the
/// documents they cite, so the console and `ask --gateway` can replay them offline.
///
/// A seam like `InferenceService`: the console (TUI) uses it without knowing SQLite;
/// Store implements it (`Replica`); the `bedside` executable wires the two together.
public protocol AnswerReplica: Sendable {
    /// The replica file, for messages.
    var location: String { get }
    /// Keeps an answer as it was received (replacing an earlier copy with the same id).
    func record(_ answer: Answer) async throws
    /// Keeps a cited passage and its document (stored once per document content hash).
    func record(_ source: SourceDocument, indexVersion: Int) async throws
    /// True when the passage a citation points at is held and still has the cited text.
    func holdsSource(for citation: Citation) async throws -> Bool
    /// The newest answer to the same question (compared normalised), if any.
    func latestAnswer(question: String) async throws -> Answer?
    func answer(id: String) async throws -> Answer?
    /// Past questions, newest first; `query` filters by substring of the normalised question.
    func history(query: String?, limit: Int) async throws -> [HistoryEntry]
    func source(chunkID: Int64) async throws -> SourceDocument?
}

/// The body of `GET /v1/answers?since=&cursor=&limit=`: one page of the caller's answers,
/// oldest first; `next_cursor` is absent on the last page.
public struct AnswerListPage: Codable, Sendable, Hashable {
    public var items: [Answer]
    public var nextCursor: String?
    /// How many answers match `since` in all (for a progress bar), when the gateway says.
    public var total: Int?

    public init(items: [Answer], nextCursor: String?, total: Int? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case items, total
        case nextCursor = "next_cursor"
    }
}
