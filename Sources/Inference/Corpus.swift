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
    /// Every document id, in id order (the relevance gate's calibration draws from them).
    func documentIDs() async throws -> [String]
    /// The relevance gate's calibration stored for this corpus (`GateCalibration`), nil when none.
    func gateCalibration() async throws -> GateCalibrationRecord?
    func saveGateCalibration(_ record: GateCalibrationRecord) async throws
    /// The corpus's own lexical search, which calibration runs its pseudo-questions through:
    /// the gate reads passage text only, so its threshold is the same for every retriever.
    func calibrationRetriever() -> any Retriever
}

extension BedsideDatabase: Corpus {
    /// From the in-memory BM25 index when a search has loaded it (the same counts FTS5 gives,
    /// without a query per term); from FTS5 otherwise.
    public func termFrequencies(_ terms: [String]) async throws -> (frequencies: [String: Int], chunks: Int) {
        if let loaded = BM25Index.shared(for: self).loadedFrequencies(terms) { return loaded }
        return try await termChunkFrequencies(terms)
    }

    public func calibrationRetriever() -> any Retriever {
        BM25Retriever(database: self)
    }
}
