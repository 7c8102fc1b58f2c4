import Core
import Foundation
import GRDB
import SharedState

/// What happened to one document during ingest.
public enum IngestOutcome: String, Sendable, Codable {
    case added, replaced, unchanged
}

/// A chunk as found by a search, with its document's title.
public struct ChunkHit: Sendable, Hashable {
    public var chunk: Chunk
    public var title: String
    /// Higher is better.
    public var score: Double
    public init(chunk: Chunk, title: String, score: Double) {
        self.chunk = chunk
        self.title = title
        self.score = score
    }
}

/// Documents, chunks, the FTS5 index and the index version.
extension BedsideDatabase {
    /// The index version: bumped by every ingest that changed something.
    public func indexVersion() async throws -> Int {
        try await read { db in try Self.indexVersion(db) }
    }

    static func indexVersion(_ db: GRDB.Database) throws -> Int {
        Int(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'index_version'") ?? "0") ?? 0
    }

    /// Counts of documents and chunks.
    public func counts() async throws -> (documents: Int, chunks: Int) {
        try await read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM document") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk") ?? 0
            )
        }
    }

    /// Stores documents and their chunks in one transaction. An unchanged document (same
    /// content hash) is left alone; a changed one has its chunks replaced. The index
    /// version is bumped once when anything changed. A document with a NUL in its id, title
    /// or text is refused, and the whole batch with it. Returns each document's outcome,
    /// the new index version, and the ids of the chunks written (for embedding).
    public func ingest(_ batch: [(document: Document, chunks: [Chunk])]) async throws -> (
        outcomes: [IngestOutcome], indexVersion: Int, newChunkIDs: [Int64]
    ) {
        try await write { db in
            var outcomes: [IngestOutcome] = []
            var newIDs: [Int64] = []
            let current = try Self.indexVersion(db)
            let next = current + 1
            let now = Date().timeIntervalSince1970
            let insertChunk = try db.makeStatement(
                sql: """
                    INSERT INTO chunk(document_id, ordinal, section_path, text, start, "end") VALUES (?, ?, ?, ?, ?, ?)
                    """)
            let insertFTS = try db.makeStatement(sql: "INSERT INTO chunk_fts(rowid, title, section, body) VALUES (?, ?, ?, ?)")
            let existingHash = try db.makeStatement(sql: "SELECT content_hash FROM document WHERE id = ?")
            let insertDocument = try db.makeStatement(
                sql: """
                    INSERT INTO document(id, title, text, metadata, source_path, content_hash, index_version, ingested_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (doc, chunks) in batch {
                // SQLite binds these as C strings: a NUL would cut the id (merging two
                // documents) or the text. The loaders refuse such files; this is the backstop.
                for (field, value) in [("id", doc.id), ("title", doc.title), ("text", doc.text)] where value.utf8.contains(0) {
                    throw BedsideError(
                        .ingest, "Document \(doc.id.debugDescription): the \(field) contains a NUL character; nothing in this batch was written.")
                }
                let hash = Self.contentHash(doc)
                let existing = try String.fetchOne(existingHash, arguments: [doc.id])
                if existing == hash {
                    outcomes.append(.unchanged)
                    continue
                }
                if existing != nil {
                    try db.execute(sql: "DELETE FROM chunk WHERE document_id = ?", arguments: [doc.id])
                    try db.execute(sql: "DELETE FROM document WHERE id = ?", arguments: [doc.id])
                }
                let metadata = String(decoding: try JSONEncoder.sorted.encode(doc.metadata), as: UTF8.self)
                try insertDocument.execute(arguments: [doc.id, doc.title, doc.text, metadata, doc.sourcePath, hash, next, now])
                for c in chunks {
                    let path = String(decoding: try JSONEncoder.sorted.encode(c.sectionPath), as: UTF8.self)
                    try insertChunk.execute(arguments: [doc.id, c.ordinal, path, c.text, c.start, c.end])
                    let id = db.lastInsertedRowID
                    newIDs.append(id)
                    try insertFTS.execute(arguments: [id, doc.title, c.sectionPath.joined(separator: " "), c.text])
                }
                outcomes.append(existing == nil ? .added : .replaced)
            }
            var version = current
            if outcomes.contains(where: { $0 != .unchanged }) {
                version = next
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'index_version'", arguments: [String(next)])
            }
            return (outcomes, version, newIDs)
        }
    }

    /// Removes a document and its chunks; bumps the index version if it existed.
    @discardableResult
    public func deleteDocument(id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM chunk WHERE document_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM document WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'index_version'")
            return true
        }
    }

    static func contentHash(_ doc: Document) -> String {
        // FNV-1a 64 over title, text and metadata: enough to detect change, not a security boundary.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        // Over contiguous bytes, not a generic Sequence: this ran for 22% of a debug ingest.
        func mix(_ bytes: UnsafeRawBufferPointer) {
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        func mix(_ string: String) {
            var string = string
            string.withUTF8 { mix(UnsafeRawBufferPointer($0)) }
        }
        let zero: [UInt8] = [0]
        mix(doc.title)
        zero.withUnsafeBytes(mix)
        mix(doc.text)
        zero.withUnsafeBytes(mix)
        if let m = try? JSONEncoder.sorted.encode(doc.metadata) { m.withUnsafeBytes(mix) }
        return String(h, radix: 16) + "-" + String(doc.text.utf8.count)
    }

    public func document(id: String) async throws -> Document? {
        try await read { db in try Self.fetchDocument(db, id: id) }
    }

    static func fetchDocument(_ db: GRDB.Database, id: String) throws -> Document? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, title, text, metadata, source_path FROM document WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let meta = (try? JSONDecoder().decode([String: JSONValue].self, from: Data((row["metadata"] as String).utf8))) ?? [:]
        return Document(id: row["id"], title: row["title"], text: row["text"], metadata: meta, sourcePath: row["source_path"])
    }

    /// All documents' ids and titles, ordered by title.
    public func documentList() async throws -> [(id: String, title: String)] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, title FROM document ORDER BY title").map { ($0["id"], $0["title"]) }
        }
    }

    public func chunk(id: Int64) async throws -> (chunk: Chunk, title: String)? {
        try await chunks(ids: [id]).first
    }

    public func chunks(documentID: String) async throws -> [Chunk] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.chunkSelect + " WHERE c.document_id = ? ORDER BY c.ordinal", arguments: [documentID]).map(Self.chunk)
        }
    }

    /// Chunks by id, with titles, in the order asked (missing ids are skipped).
    public func chunks(ids: [Int64]) async throws -> [(chunk: Chunk, title: String)] {
        guard !ids.isEmpty else { return [] }
        return try await read { db in try Self.fetchChunks(db, ids: ids) }
    }

    static func fetchChunks(_ db: GRDB.Database, ids: [Int64]) throws -> [(chunk: Chunk, title: String)] {
        let rows = try Row.fetchAll(
            db, sql: Self.chunkSelect + " WHERE c.id IN (\(databaseQuestionMarks(count: ids.count)))", arguments: StatementArguments(ids))
        var byID: [Int64: (Chunk, String)] = [:]
        for r in rows {
            let c = Self.chunk(r)
            byID[c.id] = (c, r["title"])
        }
        return ids.compactMap { byID[$0].map { (chunk: $0.0, title: $0.1) } }
    }

    static let chunkSelect = """
        SELECT c.id, c.document_id, c.ordinal, c.section_path, c.text, c.start, c."end", d.title
        FROM chunk c JOIN document d ON d.id = c.document_id
        """

    /// A chunk row; the common empty section path skips the JSON decoder (a decoder per row
    /// was most of the fetch for 40 passages).
    static func chunk(_ row: Row) -> Chunk {
        let text: String = row["section_path"]
        let path = text == "[]" ? [] : (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
        return Chunk(
            id: row["id"], documentID: row["document_id"], ordinal: row["ordinal"], sectionPath: path,
            text: row["text"], start: row["start"], end: row["end"])
    }

    /// BM25 search. `match` must be a valid FTS5 expression (see `FTSQuery`); results are
    /// ordered best first, with scores negated so that higher is better. Column weights
    /// favour the title and section a little over the body.
    public func searchFTS(match: String, limit: Int, filters: [String: String] = [:], weights: FieldWeights = .standard) async throws -> [ChunkHit] {
        guard !match.isEmpty, limit > 0 else { return [] }
        return try await read { db in try Self.searchFTS(db, match: match, limit: limit, filters: filters, weights: weights) }
    }

    /// BM25 column weights of the FTS5 index: title, section, body.
    public struct FieldWeights: Sendable, Hashable {
        public var title: Double
        public var section: Double
        public var body: Double
        public init(title: Double, section: Double, body: Double) {
            self.title = title
            self.section = section
            self.body = body
        }
        public static let standard = FieldWeights(title: 2.0, section: 1.5, body: 1.0)
        var sql: String {
            "bm25(chunk_fts, " + [title, section, body].map { String(format: "%.4f", $0.isFinite ? max(0, $0) : 0) }.joined(separator: ", ") + ")"
        }
    }

    static func searchFTS(_ db: GRDB.Database, match: String, limit: Int, filters: [String: String], weights: FieldWeights = .standard) throws
        -> [ChunkHit]
    {
        let bm25 = weights.sql
        if filters.isEmpty {
            // Rank inside FTS5 first, then join only the `limit` best rows: joining every
            // matching row before sorting cost 2.5× at 100,000 passages (bench/retrieval.sh --scale).
            let stmt = try db.cachedStatement(
                sql: """
                    SELECT c.id, c.document_id, c.ordinal, c.section_path, c.text, c.start, c."end", d.title, r.rank
                    FROM (SELECT rowid AS id, \(bm25) AS rank FROM chunk_fts
                          WHERE chunk_fts MATCH ? ORDER BY rank LIMIT ?) r
                    JOIN chunk c ON c.id = r.id JOIN document d ON d.id = c.document_id
                    ORDER BY r.rank, c.id
                    """)
            return try Row.fetchAll(stmt, arguments: [match, limit]).map(hit)
        }
        let (filterSQL, filterArgs) = filterClause(filters)
        let stmt = try db.cachedStatement(
            sql: """
                SELECT c.id, c.document_id, c.ordinal, c.section_path, c.text, c.start, c."end", d.title,
                       \(bm25) AS rank
                FROM chunk_fts JOIN chunk c ON c.id = chunk_fts.rowid JOIN document d ON d.id = c.document_id
                WHERE chunk_fts MATCH ?\(filterSQL) ORDER BY rank LIMIT ?
                """)
        return try Row.fetchAll(stmt, arguments: StatementArguments([match] + filterArgs + [limit])).map(hit)
    }

    /// A ranked row: BM25's rank negated, so higher is better.
    static func hit(_ row: Row) -> ChunkHit { ChunkHit(chunk: chunk(row), title: row["title"], score: -(row["rank"] as Double)) }

    /// SQL (starting with ` AND`) restricting `d` (document) rows to metadata filters.
    static func filterClause(_ filters: [String: String]) -> (String, [any DatabaseValueConvertible]) {
        var sql = ""
        var args: [any DatabaseValueConvertible] = []
        for (key, value) in filters.sorted(by: { $0.key < $1.key }) {
            if key == "source_id" || key == "document_id" {
                sql += " AND d.id = ?"
                args.append(value)
            } else {
                // Matches a scalar metadata value, or membership in an array value.
                sql +=
                    " AND (CAST(json_extract(d.metadata, ?) AS TEXT) = ? OR EXISTS (SELECT 1 FROM json_each(d.metadata, ?) WHERE CAST(value AS TEXT) = ?))"
                let path = "$.\"\(key.replacingOccurrences(of: "\"", with: ""))\""
                args += [path, value, path, value]
            }
        }
        return (sql, args)
    }
}

extension BedsideDatabase {
    /// How many chunks contain each term (FTS5 applies its own stemming), and the chunk count:
    /// the inputs of inverse document frequency.
    public func termChunkFrequencies(_ terms: [String]) async throws -> (frequencies: [String: Int], chunks: Int) {
        try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk") ?? 0
            var out: [String: Int] = [:]
            let stmt = try db.cachedStatement(sql: "SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH ?")
            for t in terms where out[t] == nil {
                let q = "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                out[t] = try Int.fetchOne(stmt, arguments: [q]) ?? 0
            }
            return (out, total)
        }
    }
}
