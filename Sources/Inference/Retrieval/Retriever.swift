import Core
import SQLiteStore

/// A passage found for a question, best first: a chunk, its document's title and the
/// retriever's own score, higher is better (BM25, cosine, or fused RRF). The same value
/// the store's searches return, so retrievers pass them on without copying.
public typealias RetrievedPassage = ChunkHit

extension ChunkHit {
    /// This passage as citation number `n`.
    public func citation(_ n: Int) -> Citation {
        Citation(
            n: n, sourceID: chunk.documentID, chunkID: chunk.id, title: title, section: chunk.section,
            score: (score * 1000).rounded() / 1000, text: chunk.text, start: chunk.start, end: chunk.end)
    }
}

/// Finds the passages that best match a question.
public protocol Retriever: Sendable {
    /// `bm25`, `vector` or `hybrid`.
    var name: String { get }
    func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage]
}
