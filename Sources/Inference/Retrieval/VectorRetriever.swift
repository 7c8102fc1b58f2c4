import Core
import SQLiteStore

/// Dense retrieval: embeds the question and finds the nearest chunk vectors in a
/// `VectorIndex` (embedded SQLite or Qdrant). Scores are cosine similarities.
public struct VectorRetriever: Retriever {
    public let name = "vector"
    public var database: BedsideDatabase
    public var embedder: any TextEmbedder
    public var index: any VectorIndex

    public init(database: BedsideDatabase, embedder: any TextEmbedder, index: any VectorIndex) {
        self.database = database
        self.embedder = embedder
        self.index = index
    }

    /// The nearest chunk ids with their cosine scores, best first.
    public func search(_ question: String, limit: Int, filters: [String: String] = [:]) async throws -> [VectorHit] {
        guard limit > 0, !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
        guard let vector = try await embedder.embed([question]).first else { return [] }
        return try await index.search(vector, limit: limit, filters: filters)
    }

    public func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
        let hits = try await search(question, limit: topK, filters: filters)
        let score = Dictionary(hits.map { ($0.chunkID, $0.score) }, uniquingKeysWith: { a, _ in a })
        // Chunks deleted since they were indexed are skipped.
        return try await database.chunks(ids: hits.map(\.chunkID)).map {
            RetrievedPassage(chunk: $0.chunk, title: $0.title, score: score[$0.chunk.id] ?? 0)
        }
    }
}
