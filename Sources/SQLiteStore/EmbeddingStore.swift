import Core
import Foundation
import GRDB

/// Float32 vectors per chunk and embedding model: the embedded vector index's storage.
extension BedsideDatabase {
    public func saveEmbeddings(model: String, _ vectors: [(chunkID: Int64, vector: [Float])]) async throws {
        guard !vectors.isEmpty else { return }
        try await write { db in
            let stmt = try db.makeStatement(sql: "INSERT OR REPLACE INTO embedding(chunk_id, model, dim, vector) VALUES (?, ?, ?, ?)")
            for (id, v) in vectors {
                let blob = v.withUnsafeBufferPointer { Data(buffer: $0) }
                try stmt.execute(arguments: [id, model, v.count, blob])
            }
        }
    }

    /// Every vector of a model, as one contiguous row-major matrix (for a SIMD scan).
    public func loadEmbeddings(model: String) async throws -> (ids: [Int64], dim: Int, matrix: [Float]) {
        try await read { db in
            var ids: [Int64] = []
            var matrix: [Float] = []
            var dim = 0
            let rows = try Row.fetchCursor(
                db, sql: "SELECT chunk_id, dim, vector FROM embedding WHERE model = ? ORDER BY chunk_id", arguments: [model])
            while let row = try rows.next() {
                let d: Int = row["dim"]
                if dim == 0 {
                    dim = d
                    matrix.reserveCapacity(d * 1024)
                }
                guard d == dim else { continue }
                let data: Data = row["vector"]
                data.withUnsafeBytes { raw in matrix.append(contentsOf: raw.bindMemory(to: Float.self)) }
                ids.append(row["chunk_id"])
            }
            return (ids, dim, matrix)
        }
    }

    /// Chunk ids that have no vector for this model yet.
    public func chunkIDsMissingEmbeddings(model: String) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM chunk WHERE id NOT IN (SELECT chunk_id FROM embedding WHERE model = ?) ORDER BY id", arguments: [model])
        }
    }

    public func embeddingCount(model: String) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM embedding WHERE model = ?", arguments: [model]) ?? 0 }
    }
}
