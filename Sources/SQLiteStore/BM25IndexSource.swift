import Core
import Foundation
import GRDB

/// One row of the FTS5 index (`chunk_fts`) as the in-memory BM25 index reads it.
public struct FTSIndexRow: Sendable {
    public var id: Int64
    public var title: String
    public var section: String
    public var body: String
}

/// What the in-memory BM25 index (Inference/Retrieval/BM25Index) reads from the store.
/// Every function is `async` and runs on GRDB's reader queue, never on a cooperative thread.
extension BedsideDatabase {
    /// The state of the FTS index the in-memory copy is checked against.
    public struct FTSIndexState: Sendable, Equatable {
        /// `meta.index_version`.
        public var version: Int
        /// Chunks (= FTS rows) in the index.
        public var rows: Int
        /// Chunks with an id at most `upTo` (0 when not asked): equal to what a copy holding
        /// every id up to there loaded means nothing was deleted since (ids only grow).
        public var rowsUpTo: Int
    }

    public func ftsIndexState(upTo id: Int64) async throws -> FTSIndexState {
        try await read { db in try Self.ftsIndexState(db, upTo: id) }
    }

    static func ftsIndexState(_ db: GRDB.Database, upTo id: Int64) throws -> FTSIndexState {
        FTSIndexState(
            version: try indexVersion(db),
            rows: try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk") ?? 0,
            rowsUpTo: id > 0 ? try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk WHERE id <= ?", arguments: [id]) ?? 0 : 0)
    }

    /// Streams the FTS rows with an id above `afterID`, in id order, to `body` inside one read
    /// transaction (so the rows and the returned state are one snapshot). `body` runs on the
    /// reader's queue; it pulls rows with `next()` until nil.
    public func scanFTSIndex<T: Sendable>(
        afterID: Int64,
        _ body: @escaping @Sendable (_ state: FTSIndexState, _ next: () throws -> FTSIndexRow?) throws -> T
    ) async throws -> T {
        try await read { db in
            let state = try Self.ftsIndexState(db, upTo: afterID)
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT rowid, title, section, body FROM chunk_fts WHERE rowid > ? ORDER BY rowid", arguments: [afterID])
            return try body(state) {
                guard let row = try cursor.next() else { return nil }
                return FTSIndexRow(id: row[0], title: row[1] ?? "", section: row[2] ?? "", body: row[3] ?? "")
            }
        }
    }

    /// The chunks with these ids (with their document titles, in the order asked; missing ids
    /// skipped) and the index version in the same snapshot, so a caller can tell that the ids
    /// it ranked still describe the index (every change to the chunks bumps the version).
    public func chunkHits(ids: [Int64]) async throws -> (indexVersion: Int, chunks: [(chunk: Chunk, title: String)]) {
        try await read { db in (try Self.indexVersion(db), ids.isEmpty ? [] : try Self.fetchChunks(db, ids: ids)) }
    }
}
