import Core
import Foundation
import SQLiteStore

/// The zero-setup vector index: Float32 vectors in the Bedside SQLite file (one BLOB per
/// chunk and model), searched by brute-force cosine similarity with SIMD.
///
/// Vectors are unit-normalised when stored (and again when loaded, in case another writer
/// did not), so a dot product is the cosine. The matrix is loaded once and kept in memory;
/// it is reloaded when this process upserts or deletes, and when the database changed
/// underneath (another process ingested: the index version or vector count moved).
/// Brute force is exact and, at tens of thousands of 384-dimensional chunks, takes
/// milliseconds, so no approximate index is needed at this scale.
public final class SQLiteVectorIndex: VectorIndex {
    public let name = "embedded"
    public let database: BedsideDatabase
    /// Vectors are kept per embedding model; switching models never mixes them.
    public let model: String

    /// The loaded matrix and what it was loaded from.
    struct Snapshot: Sendable {
        let ids: [Int64]
        let dim: Int
        let matrix: [Float]
        let indexVersion: Int
        let count: Int
    }

    struct State {
        var snapshot: Snapshot?
        /// The stored vectors' dimension, once known.
        var dim: Int?
    }

    private let state = Locked(State())

    public init(database: BedsideDatabase, model: String) {
        self.database = database
        self.model = model
    }

    public func upsert(_ records: [VectorRecord]) async throws {
        guard let first = records.first else { return }
        let dim = first.vector.count
        guard dim > 0, records.allSatisfy({ $0.vector.count == dim }) else {
            throw BedsideError(.dimensionMismatch, "The embedding model returned vectors of different sizes in one batch.")
        }
        if let stored = try await storedDimension(), stored != dim {
            throw Self.mismatch(stored: stored, got: dim, model: model)
        }
        try await database.saveEmbeddings(model: model, records.map { (chunkID: $0.chunkID, vector: VectorMath.normalized($0.vector)) })
        state.withLock {
            $0.snapshot = nil
            $0.dim = dim
        }
    }

    /// Vectors of a replaced document's chunks are deleted with the chunks (foreign-key
    /// cascade in the Store); this drops the in-memory copy.
    public func deleteDocument(_ documentID: String) async throws {
        state.withLock { $0.snapshot = nil }
    }

    public func count() async throws -> Int {
        try await database.embeddingCount(model: model)
    }

    public func search(_ vector: [Float], limit: Int, filters: [String: String]) async throws -> [VectorHit] {
        guard limit > 0 else { return [] }
        let snap = try await currentSnapshot()
        guard !snap.ids.isEmpty else { return [] }
        guard vector.count == snap.dim else { throw Self.mismatch(stored: snap.dim, got: vector.count, model: model) }
        let scores = VectorMath.scores(matrix: snap.matrix, dim: snap.dim, query: VectorMath.normalized(vector))
        if filters.isEmpty {
            return VectorMath.topK(scores, k: limit).map { VectorHit(chunkID: snap.ids[$0], score: Double(scores[$0])) }
        }
        return try await filteredTop(scores: scores, ids: snap.ids, limit: limit, filters: filters)
    }

    /// Best-first candidates in growing windows, kept when their document passes the filters,
    /// until `limit` pass or the candidates run out.
    func filteredTop(scores: [Float], ids: [Int64], limit: Int, filters: [String: String]) async throws -> [VectorHit] {
        let order = VectorMath.topK(scores, k: scores.count)
        var out: [VectorHit] = []
        var documents: [String: Document?] = [:]
        var start = 0
        var window = max(64, limit * 4)
        while start < order.count, out.count < limit {
            let slice = order[start..<min(start + window, order.count)]
            let chunks = try await database.chunks(ids: slice.map { ids[$0] })
            var docOf: [Int64: String] = [:]
            for c in chunks { docOf[c.chunk.id] = c.chunk.documentID }
            for i in slice {
                guard let docID = docOf[ids[i]] else { continue }
                if documents[docID] == nil { documents[docID] = .some(try await database.document(id: docID)) }
                guard let doc = documents[docID] ?? nil, Self.matches(doc, filters) else { continue }
                out.append(VectorHit(chunkID: ids[i], score: Double(scores[i])))
                if out.count == limit { break }
            }
            start += slice.count
            window *= 2
        }
        return out
    }

    /// The Store's filter semantics: `source_id`/`document_id` is the document id; any other
    /// key equals a scalar metadata value as text, or an element of an array value.
    static func matches(_ doc: Document, _ filters: [String: String]) -> Bool {
        for (key, value) in filters {
            if key == "source_id" || key == "document_id" {
                if doc.id != value { return false }
                continue
            }
            switch doc.metadata[key] {
            case .array(let items)?: if !items.contains(where: { $0.textValue == value }) { return false }
            case let v?: if v.textValue != value { return false }
            case nil: return false
            }
        }
        return true
    }

    /// The dimension of stored vectors for this model, nil when none are stored.
    func storedDimension() async throws -> Int? {
        if let d = state.current.dim { return d }
        guard try await database.embeddingCount(model: model) > 0 else { return nil }
        let d = try await currentSnapshot().dim
        return d > 0 ? d : nil
    }

    /// The cached matrix, reloaded when the database moved on.
    func currentSnapshot() async throws -> Snapshot {
        let version = try await database.indexVersion()
        let count = try await database.embeddingCount(model: model)
        if let s = state.current.snapshot, s.indexVersion == version, s.count == count { return s }
        let loaded = try await database.loadEmbeddings(model: model)
        var matrix = loaded.matrix
        let dim = loaded.dim
        if dim > 0 {
            // Normalise rows in place (idempotent for vectors this index wrote).
            matrix.withUnsafeMutableBufferPointer { m in
                for r in 0..<(m.count / dim) {
                    let row = UnsafeMutableBufferPointer(rebasing: m[(r * dim)..<((r + 1) * dim)])
                    let n = VectorMath.dot(UnsafePointer(row.baseAddress!), UnsafePointer(row.baseAddress!), dim).squareRoot()
                    if n > 0, abs(n - 1) > 1e-4 { for j in row.indices { row[j] /= n } }
                }
            }
        }
        let snap = Snapshot(ids: loaded.ids, dim: dim, matrix: matrix, indexVersion: version, count: count)
        state.withLock {
            $0.snapshot = snap
            if dim > 0 { $0.dim = dim }
        }
        return snap
    }

    static func mismatch(stored: Int, got: Int, model: String) -> BedsideError {
        BedsideError(
            .dimensionMismatch,
            "The embedded vector index holds \(stored)-dimensional vectors for model \(model), but the embedding server returns \(got)-dimensional ones. Check BEDSIDE_EMBED_MODEL, or re-ingest with the new model.",
            detail: "stored dim \(stored), got \(got)")
    }
}
