import Core
import SQLiteStore

/// What the pipeline and the ingestor need of the stored corpus (documents, passages, the
/// index version), so that they depend on this and not on the SQLite type. `BedsideDatabase`,
/// the one store that keeps documents, conforms.
public protocol Corpus: Sendable {
    func indexVersion() async throws -> Int
    func counts() async throws -> (documents: Int, chunks: Int)
    func chunks(documentID: String) async throws -> [Chunk]
    func chunks(ids: [Int64]) async throws -> [(chunk: Chunk, title: String)]
    /// How many passages hold each term, and how many there are: the inputs of inverse document frequency.
    func termFrequencies(_ terms: [String]) async throws -> (frequencies: [String: Int], chunks: Int)
    /// Stores a batch of documents with their passages (`BedsideDatabase.ingest`).
    func ingest(_ batch: [(document: Document, chunks: [Chunk])]) async throws -> (
        outcomes: [IngestOutcome], indexVersion: Int, newChunkIDs: [Int64]
    )
}

extension BedsideDatabase: Corpus {
    /// From the in-memory BM25 index when a search has loaded it (the same counts FTS5 gives,
    /// without a query per term); from FTS5 otherwise.
    public func termFrequencies(_ terms: [String]) async throws -> (frequencies: [String: Int], chunks: Int) {
        if let loaded = BM25Index.shared(for: self).loadedFrequencies(terms) { return loaded }
        return try await termChunkFrequencies(terms)
    }
}
