import Core

/// Chunk vectors in a Qdrant collection. Point ids are the chunk ids; the payload carries
/// `doc_id`, `chunk_id`, `title`, `section` and the document's scalar metadata (as text, so
/// that a request filter `"year":"2019"` matches the way the SQLite filters do).
///
/// On first use the collection is created (Cosine, sized by the embedding model) with a
/// keyword payload index on `doc_id`; an existing collection whose vector size differs from
/// the model's is refused with `dimension_mismatch` rather than corrupted.
public final class QdrantVectorIndex: VectorIndex {
    public let name = "qdrant"
    public let client: QdrantClient
    public let collection: String

    /// Payload keys Bedside writes itself; document metadata never overrides them.
    public static let reservedKeys: Set<String> = ["doc_id", "chunk_id", "title", "section"]

    private let readyDimension = Locked<Int?>(nil)
    /// The collection's vector size once a search has checked it (a query-only process never prepares).
    private let searchedDimension = Locked<Int?>(nil)

    public init(client: QdrantClient, collection: String = "bedside") {
        self.client = client
        self.collection = collection
    }

    /// Creates the collection when missing and checks its vector size; remembered once it passed.
    public func prepare(dimension: Int) async throws {
        if let d = readyDimension.current {
            guard d == dimension else { throw mismatch(stored: d, got: dimension) }
            return
        }
        if let info = try await client.collectionInfo(collection) {
            guard let size = info.vectorSize else {
                throw BedsideError(
                    .dimensionMismatch,
                    "The Qdrant collection \(collection) uses named vectors; Bedside needs a collection with one unnamed vector. Choose another collection name."
                )
            }
            guard size == dimension else { throw mismatch(stored: size, got: dimension) }
        } else {
            try await client.createCollection(collection, vectorSize: dimension, distance: "Cosine")
            if let info = try await client.collectionInfo(collection), let size = info.vectorSize, size != dimension {
                throw mismatch(stored: size, got: dimension) // someone created it concurrently with another size
            }
        }
        try await client.createPayloadIndex(collection, field: "doc_id", schema: "keyword")
        readyDimension.withLock { $0 = dimension }
    }

    func mismatch(stored: Int, got: Int) -> BedsideError {
        BedsideError(
            .dimensionMismatch,
            "The Qdrant collection \(collection) holds \(stored)-dimensional vectors, but the embedding model makes \(got)-dimensional ones. Set BEDSIDE_QDRANT_COLLECTION to a new collection, or delete this one and re-ingest.",
            detail: "collection \(collection): size \(stored), model \(got)")
    }

    /// The payload stored with a chunk's point.
    public static func payload(
        documentID: String, chunkID: Int64, title: String, section: String,
        metadata: [String: JSONValue]
    ) -> [String: JSONValue] {
        var p: [String: JSONValue] = [:]
        for (k, v) in metadata where !reservedKeys.contains(k) {
            switch v {
            case .array(let items):
                let texts = items.compactMap(\.textValue)
                if !texts.isEmpty { p[k] = .array(texts.map(JSONValue.string)) }
            default:
                if let t = v.textValue { p[k] = .string(t) }
            }
        }
        p["doc_id"] = .string(documentID)
        p["chunk_id"] = .number(Double(chunkID))
        p["title"] = .string(title)
        p["section"] = .string(section)
        return p
    }

    public func upsert(_ records: [VectorRecord]) async throws {
        guard let first = records.first else { return }
        try await prepare(dimension: first.vector.count)
        let points = try records.map { r -> QdrantPoint in
            guard r.chunkID >= 0 else { throw BedsideError(.internalError, "Chunk id \(r.chunkID) cannot be a Qdrant point id.") }
            var payload = r.payload
            payload["doc_id"] = .string(r.documentID)
            payload["chunk_id"] = .number(Double(r.chunkID))
            return QdrantPoint(id: UInt64(r.chunkID), vector: r.vector, payload: payload)
        }
        try await client.upsert(collection, points: points)
    }

    public func deleteDocument(_ documentID: String) async throws {
        // Nothing to delete in a collection that does not exist yet.
        if readyDimension.current == nil, try await client.collectionInfo(collection) == nil { return }
        try await client.delete(collection, filter: QdrantFilter(must: [.init(key: "doc_id", value: .string(documentID))]))
    }

    public func search(_ vector: [Float], limit: Int, filters: [String: String]) async throws -> [VectorHit] {
        guard limit > 0 else { return [] }
        if let known = readyDimension.current ?? searchedDimension.current {
            guard known == vector.count else { throw mismatch(stored: known, got: vector.count) }
        } else {
            guard let info = try await client.collectionInfo(collection) else { return [] } // nothing ingested yet
            if let size = info.vectorSize {
                guard size == vector.count else { throw mismatch(stored: size, got: vector.count) }
                searchedDimension.withLock { $0 = size }
            }
        }
        var keyed: [String: String] = [:]
        for (k, v) in filters { keyed[k == "source_id" || k == "document_id" ? "doc_id" : k] = v }
        let filter = keyed.isEmpty ? nil : QdrantFilter.matching(keyed)
        let points = try await client.query(collection, vector: vector, filter: filter, limit: limit, withPayload: false)
        return points.compactMap { p in p.id.map { VectorHit(chunkID: Int64(truncatingIfNeeded: $0), score: p.score) } }
            .sorted { ($0.score, -$0.chunkID) > ($1.score, -$1.chunkID) } // equal scores: lower chunk id first
    }

    public func count() async throws -> Int {
        guard try await client.collectionInfo(collection) != nil else { return 0 }
        return try await client.count(collection)
    }
}
