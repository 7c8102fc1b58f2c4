import Core

/// One chunk's vector with what an index stores beside it.
public struct VectorRecord: Sendable, Hashable {
    public var chunkID: Int64
    public var documentID: String
    public var vector: [Float]
    /// Searchable metadata (title, section, document metadata such as `year`).
    public var payload: [String: JSONValue] = [:]
}

/// A search result: a chunk and its cosine similarity to the query (higher is better).
public struct VectorHit: Sendable, Hashable {
    public var chunkID: Int64
    public var score: Double
}

/// Where chunk vectors live and are searched: embedded SQLite (zero setup) or Qdrant.
public protocol VectorIndex: Sendable {
    /// `embedded` or `qdrant`.
    var name: String { get }
    /// Inserts or replaces vectors by chunk id.
    func upsert(_ records: [VectorRecord]) async throws
    /// Removes every vector of a document.
    func deleteDocument(_ documentID: String) async throws
    /// The `limit` nearest chunks by cosine similarity, best first. `filters` are the
    /// request's metadata equality filters (`source_id`/`document_id` match the document id).
    func search(_ vector: [Float], limit: Int, filters: [String: String]) async throws -> [VectorHit]
    /// How many vectors the index holds.
    func count() async throws -> Int
}
