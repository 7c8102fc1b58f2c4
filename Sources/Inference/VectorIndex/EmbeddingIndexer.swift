import Core
import SQLiteStore

/// Embeds chunks and stores their vectors in a `VectorIndex`: the `ChunkSink` an ingest
/// uses when vector or hybrid retrieval is configured.
public struct EmbeddingIndexer: ChunkSink {
    public var embedder: any TextEmbedder
    public var index: any VectorIndex
    /// Chunks per embedding + upsert round (the embedder batches again internally).
    public var batchSize: Int

    public init(embedder: any TextEmbedder, index: any VectorIndex, batchSize: Int = 64) {
        self.embedder = embedder
        self.index = index
        self.batchSize = max(1, batchSize)
    }

    /// The text embedded for a chunk: title and section give a passage its context.
    public static func embeddingText(title: String, section: String, text: String) -> String {
        [title, section, text].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    public func indexChunks(_ chunks: [(chunk: Chunk, title: String)], documents: [Document]) async throws -> Int {
        var metadata: [String: [String: JSONValue]] = [:]
        for d in documents { metadata[d.id] = d.metadata }
        var done = 0
        for batch in chunks.batches(of: batchSize) {
            let vectors = try await embedder.embed(batch.map { Self.embeddingText(title: $0.title, section: $0.chunk.section, text: $0.chunk.text) })
            let records = zip(batch, vectors).map { item, vector in
                VectorRecord(
                    chunkID: item.chunk.id, documentID: item.chunk.documentID, vector: vector,
                    payload: QdrantVectorIndex.payload(
                        documentID: item.chunk.documentID, chunkID: item.chunk.id, title: item.title,
                        section: item.chunk.section, metadata: metadata[item.chunk.documentID] ?? [:]))
            }
            try await index.upsert(records)
            done += records.count
        }
        return done
    }

    public func removeDocuments(_ ids: [String]) async throws {
        for id in ids { try await index.deleteDocument(id) }
    }

    /// Embeds chunks already in the database that the index lacks (a database ingested
    /// before vectors were configured, or an index emptied). For the embedded index only the
    /// missing chunks are embedded; for another index, everything is re-upserted when its
    /// count is below the database's (upserts by chunk id are idempotent).
    public func backfill(database: BedsideDatabase, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> Int {
        let ids: [Int64]
        if let embedded = index as? SQLiteVectorIndex {
            ids = try await database.chunkIDsMissingEmbeddings(model: embedded.model)
        } else {
            let total = try await database.counts().chunks
            guard try await index.count() < total else { return 0 }
            var all: [Int64] = []
            for (id, _) in try await database.documentList() { all += try await database.chunks(documentID: id).map(\.id) }
            ids = all
        }
        guard !ids.isEmpty else { return 0 }
        var done = 0
        for slice in ids.batches(of: max(batchSize, 256)) {
            let chunks = try await database.chunks(ids: Array(slice))
            var docs: [Document] = []
            for docID in Set(chunks.map(\.chunk.documentID)) { if let d = try await database.document(id: docID) { docs.append(d) } }
            done += try await indexChunks(chunks, documents: docs)
            progress?(done, ids.count)
        }
        return done
    }
}
