import Core
import Foundation
import SQLiteStore

/// BM25 over an in-memory copy of the FTS5 index: the same scores and order as FTS5's
/// `bm25(chunk_fts, title, section, body)` (same tokenizer, same formula, same floating-point
/// operations), computed from postings held in memory instead of FTS5's per-row callbacks.
///
/// At 100,000 passages FTS5 ranks every row matching any question term (common words match
/// most of the corpus) through its auxiliary-function API; here a question costs one pass
/// over its terms' postings into a score array, and a bounded heap for the top k.
///
/// The copy is read lazily on the first search from the `chunk_fts` rows (tokenized in
/// Swift by `ChunkTokenizer`, on GRDB's reader queue, not a cooperative thread) and kept in
/// step with the store: each search reads the passages it returns together with the index
/// state (index version, row counts) in one snapshot; when the state moved, passages added
/// since are appended (ids only grow), and a deletion rebuilds the copy.
public final class BM25Index: Sendable {
    public let database: BedsideDatabase

    /// One immutable state of the index; searches share it (its arrays are shared, not copied).
    struct Snapshot: Sendable {
        let state: BedsideDatabase.FTSIndexState
        /// Highest chunk id loaded.
        let maxID: Int64
        /// Chunk id of each document slot.
        let ids: [Int64]
        /// Tokens per row, all columns (FTS5's `xColumnSize(-1)`).
        let lengths: [Int32]
        let totalTokens: Int64
        let terms: [String: Int32]
        let postings: [[Posting]]

        var rows: Int { ids.count }

        /// Documents containing `token` (FTS5 counts rows matching the phrase).
        func documentFrequency(_ token: String) -> Int {
            terms[token].map { postings[Int($0)].count } ?? 0
        }
    }

    /// A term in one row: the row's slot and its frequency in each column.
    struct Posting: Sendable {
        var doc: UInt32
        var body: UInt16
        var title: UInt8
        var section: UInt8
    }

    private struct State {
        var snapshot: Snapshot?
        var loading: Task<Snapshot, any Error>?
    }

    private let state = Locked(State())

    public init(database: BedsideDatabase) {
        self.database = database
    }

    // MARK: - One index per database

    private struct WeakEntry {
        weak var database: BedsideDatabase?
        let index: BM25Index
    }
    private static let registry = Locked([ObjectIdentifier: WeakEntry]())

    /// The index shared by every retriever over `database` (one copy in memory per database).
    public static func shared(for database: BedsideDatabase) -> BM25Index {
        registry.withLock { entries in
            let key = ObjectIdentifier(database)
            if let e = entries[key], e.database === database { return e.index }
            entries = entries.filter { $0.value.database != nil }
            let index = BM25Index(database: database)
            entries[key] = WeakEntry(database: database, index: index)
            return index
        }
    }

    // MARK: - Search

    /// Whether FTS5 would tokenize each of `terms` exactly as this index does: ASCII words
    /// that are one token each. Other questions are searched by FTS5 itself.
    public static func handles(_ terms: [String]) -> Bool {
        terms.allSatisfy { t in
            !t.isEmpty && t.utf8.allSatisfy(ChunkTokenizer.asciiTokenChar)
        }
    }

    /// The `limit` best passages for the OR of `terms` (each a word, as `FTSQuery.terms`
    /// gives), best first, with FTS5's bm25 score negated (higher is better).
    public func search(terms: [String], limit: Int, weights: BedsideDatabase.FieldWeights = .standard) async throws -> [ChunkHit] {
        guard !terms.isEmpty, limit > 0 else { return [] }
        var snapshot = try await current()
        for _ in 0..<3 {
            let ranked = Self.rank(snapshot, terms: terms, limit: limit, weights: weights)
            let (version, chunks) = try await database.chunkHits(ids: ranked.map(\.id))
            if version == snapshot.state.version {
                let byID = Dictionary(chunks.map { ($0.chunk.id, $0) }, uniquingKeysWith: { _, last in last })
                return ranked.compactMap { r in byID[r.id].map { ChunkHit(chunk: $0.chunk, title: $0.title, score: r.score) } }
            }
            snapshot = try await refresh(from: snapshot)
        }
        throw BedsideError(.database, "The search index kept changing while searching; try again.")
    }

    /// Loads the in-memory copy now, so the first question does not pay for it (about 3 s at
    /// 100k passages). `serve` and the console call it in the background at start; a failure
    /// is left for the first search to report.
    public func warm() async {
        _ = try? await current()
    }

    /// The in-memory snapshot as of now (loaded on first use, refreshed when the store moved).
    func current() async throws -> Snapshot {
        if let s = state.withLock({ $0.snapshot }) { return s }
        return try await refresh(from: nil)
    }

    /// How many rows contain each word (as FTS5's `MATCH '"word"'` counts), and the rows:
    /// from the loaded copy, without a database query. Nil before the copy is loaded.
    public func loadedFrequencies(_ words: [String]) -> (frequencies: [String: Int], chunks: Int)? {
        guard Self.handles(words), let s = state.withLock({ $0.snapshot }) else { return nil }
        var out: [String: Int] = [:]
        for w in words { out[w] = ChunkTokenizer.tokens(w).first.map(s.documentFrequency) ?? 0 }
        return (out, s.rows)
    }

    /// Loads (or catches up) the copy; concurrent callers share one load.
    func refresh(from stale: Snapshot?) async throws -> Snapshot {
        let task: Task<Snapshot, any Error> = state.withLock { st in
            if let t = st.loading { return t }
            let base = st.snapshot ?? stale
            let database = self.database
            let t = Task<Snapshot, any Error> { try await Self.load(database: database, base: base) }
            st.loading = t
            return t
        }
        do {
            let s = try await task.value
            state.withLock { st in
                if st.loading == task { st.loading = nil }
                st.snapshot = s
            }
            return s
        } catch {
            state.withLock { st in if st.loading == task { st.loading = nil } }
            throw error
        }
    }

    /// Reads rows past `base` (or all rows) and returns the new snapshot. Runs the tokenizing
    /// on GRDB's reader queue, inside the read transaction that streams the rows.
    static func load(database: BedsideDatabase, base: Snapshot?) async throws -> Snapshot {
        if let b = base {
            let now = try await database.ftsIndexState(upTo: b.maxID)
            if now == b.state { return b }
            if now.rowsUpTo == b.rows { // only additions since: append them
                do { return try await scan(database: database, from: b) } catch is IndexMoved {}
            }
        }
        return try await scan(database: database, from: nil)
    }

    static func scan(database: BedsideDatabase, from: Snapshot?) async throws -> Snapshot {
        try await database.scanFTSIndex(afterID: from?.maxID ?? 0) { dbState, next in
            // A deletion between the state check and this transaction: the caller rebuilds.
            if let from, dbState.rowsUpTo != from.rows { throw IndexMoved() }
            var builder = Builder(from)
            while let row = try next() { builder.add(row) }
            return builder.snapshot(state: dbState)
        }
    }

    struct IndexMoved: Error {}

    /// Accumulates rows into postings.
    struct Builder {
        var ids: [Int64]
        var lengths: [Int32]
        var totalTokens: Int64
        var terms: [String: Int32]
        var postings: [[Posting]]
        var maxID: Int64
        /// Folded word → term id, so each distinct word is stemmed once.
        var words = WordTable()
        /// The (term, column) of each token of the row being added.
        var scratch: [(term: Int32, column: UInt8)] = []

        init(_ from: Snapshot?) {
            ids = from?.ids ?? []
            lengths = from?.lengths ?? []
            totalTokens = from?.totalTokens ?? 0
            terms = from?.terms ?? [:]
            postings = from?.postings ?? []
            maxID = from?.maxID ?? 0
        }

        mutating func add(_ row: FTSIndexRow) {
            let doc = UInt32(ids.count)
            scratch.removeAll(keepingCapacity: true)
            var length: Int32 = 0
            for (column, text) in [row.title, row.section, row.body].enumerated() {
                ChunkTokenizer.scan(text) { bytes in
                    length += 1
                    let hash = WordTable.hash(bytes)
                    var id = words.find(bytes, hash: hash)
                    if id < 0 {
                        let word = bytes
                        Porter.stem(&bytes)
                        let stem = String(decoding: bytes, as: UTF8.self)
                        if let known = terms[stem] {
                            id = known
                        } else {
                            id = Int32(postings.count)
                            terms[stem] = id
                            postings.append([])
                        }
                        words.insert(word, hash: hash, value: id)
                    }
                    scratch.append((id, UInt8(column)))
                }
            }
            scratch.sort { ($0.term, $0.column) < ($1.term, $1.column) }
            var i = 0
            while i < scratch.count {
                let term = scratch[i].term
                var p = Posting(doc: doc, body: 0, title: 0, section: 0)
                var t = 0
                var s = 0
                var b = 0
                while i < scratch.count, scratch[i].term == term {
                    switch scratch[i].column {
                    case 0: t += 1
                    case 1: s += 1
                    default: b += 1
                    }
                    i += 1
                }
                p.title = UInt8(min(t, Int(UInt8.max)))
                p.section = UInt8(min(s, Int(UInt8.max)))
                p.body = UInt16(min(b, Int(UInt16.max)))
                postings[Int(term)].append(p)
            }
            ids.append(row.id)
            lengths.append(length)
            totalTokens += Int64(length)
            maxID = max(maxID, row.id)
        }

        func snapshot(state: BedsideDatabase.FTSIndexState) -> Snapshot {
            // Every row up to `maxID` in this transaction is loaded: the count a later check compares.
            var state = state
            state.rowsUpTo = ids.count
            return Snapshot(state: state, maxID: maxID, ids: ids, lengths: lengths, totalTokens: totalTokens, terms: terms, postings: postings)
        }
    }

    struct Ranked: Sendable {
        var id: Int64
        var score: Double
    }

    /// The column weights as FTS5 receives them (the SQL path prints them with 4 decimals).
    static func sqlWeights(_ w: BedsideDatabase.FieldWeights) -> (Double, Double, Double) {
        func f(_ x: Double) -> Double { Double(String(format: "%.4f", x.isFinite ? max(0, x) : 0)) ?? 0 }
        return (f(w.title), f(w.section), f(w.body))
    }

    /// FTS5's bm25: for each phrase, idf = ln((N - n + 0.5) / (n + 0.5)) (1e-6 when not
    /// positive), weighted frequency f = the column weight summed over the phrase's instances,
    /// score = Σ idf · f·(k1+1) / (f + k1·(1 − b + b·D/avgdl)), k1 = 1.2, b = 0.75,
    /// D the row's tokens in all columns, avgdl the mean over rows.
    static func rank(_ s: Snapshot, terms: [String], limit: Int, weights: BedsideDatabase.FieldWeights) -> [Ranked] {
        let n = s.rows
        guard n > 0 else { return [] }
        let k1 = 1.2
        let b = 0.75
        let avgdl = Double(s.totalTokens) / Double(n)
        let (wT, wS, wB) = sqlWeights(weights)
        var acc = [Double](repeating: 0, count: n)
        var touched: [UInt32] = []
        var seen = [Bool](repeating: false, count: n)
        for word in terms {
            let tokens = ChunkTokenizer.tokens(word)
            guard tokens.count == 1, let tid = s.terms[tokens[0]] else { continue }
            let list = s.postings[Int(tid)]
            let hits = Double(list.count)
            var idf = log((Double(n) - hits + 0.5) / (hits + 0.5))
            if idf <= 0 { idf = 1e-6 }
            s.lengths.withUnsafeBufferPointer { lengths in
                list.withUnsafeBufferPointer { postings in
                    acc.withUnsafeMutableBufferPointer { acc in
                        seen.withUnsafeMutableBufferPointer { seen in
                            for p in postings {
                                var f = 0.0
                                for _ in 0..<p.title { f += wT }
                                for _ in 0..<p.section { f += wS }
                                for _ in 0..<p.body { f += wB }
                                let d = Int(p.doc)
                                let dl = Double(lengths[d])
                                acc[d] += idf * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * dl / avgdl)))
                                if !seen[d] {
                                    seen[d] = true
                                    touched.append(p.doc)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Bounded selection: best score first, then the lower chunk id.
        var heap = TopK(limit: limit)
        for d in touched { heap.offer(Ranked(id: s.ids[Int(d)], score: acc[Int(d)])) }
        return heap.sorted()
    }

    /// The k best of a stream: a min-heap on (score, −id).
    struct TopK {
        let limit: Int
        var items: [Ranked] = []
        init(limit: Int) {
            self.limit = limit
            items.reserveCapacity(limit)
        }

        /// Whether `a` ranks below `b`.
        @inline(__always) static func worse(_ a: Ranked, _ b: Ranked) -> Bool {
            a.score < b.score || (a.score == b.score && a.id > b.id)
        }

        mutating func offer(_ r: Ranked) {
            if items.count < limit {
                items.append(r)
                var i = items.count - 1
                while i > 0 {
                    let parent = (i - 1) / 2
                    if Self.worse(items[i], items[parent]) {
                        items.swapAt(i, parent)
                        i = parent
                    } else {
                        break
                    }
                }
            } else if Self.worse(items[0], r) {
                items[0] = r
                var i = 0
                while true {
                    let l = 2 * i + 1
                    let rr = l + 1
                    var m = i
                    if l < items.count, Self.worse(items[l], items[m]) { m = l }
                    if rr < items.count, Self.worse(items[rr], items[m]) { m = rr }
                    if m == i { break }
                    items.swapAt(i, m)
                    i = m
                }
            }
        }

        func sorted() -> [Ranked] { items.sorted { Self.worse($1, $0) } }
    }

    /// Folded word bytes → term id, open addressing over a byte arena: the load's per-token
    /// lookup without building a String.
    struct WordTable {
        private var slots = [Int32](repeating: -1, count: 1 << 16)
        private var hashes: [UInt64] = []
        private var starts: [Int32] = []
        private var lengths: [UInt8] = []
        private var values: [Int32] = []
        private var arena: [UInt8] = []

        @inline(__always) static func hash(_ bytes: [UInt8]) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return h ^ (h >> 29)
        }

        /// The value for `bytes`, or -1.
        func find(_ bytes: [UInt8], hash: UInt64) -> Int32 {
            guard bytes.count <= Int(UInt8.max) else { return -1 } // long tokens: never stored
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let e = slots[i]
                if e < 0 { return -1 }
                let k = Int(e)
                if hashes[k] == hash, Int(lengths[k]) == bytes.count, equal(k, bytes) { return values[k] }
                i = (i + 1) & mask
            }
        }

        private func equal(_ k: Int, _ bytes: [UInt8]) -> Bool {
            let start = Int(starts[k])
            return arena.withUnsafeBufferPointer { a in
                bytes.withUnsafeBufferPointer { b in memcmp(a.baseAddress! + start, b.baseAddress!, b.count) == 0 }
            }
        }

        mutating func insert(_ bytes: [UInt8], hash: UInt64, value: Int32) {
            guard bytes.count <= Int(UInt8.max), !bytes.isEmpty else { return }
            if (values.count + 1) * 2 > slots.count { grow() }
            let k = Int32(values.count)
            hashes.append(hash)
            starts.append(Int32(arena.count))
            lengths.append(UInt8(bytes.count))
            values.append(value)
            arena.append(contentsOf: bytes)
            place(k)
        }

        private mutating func place(_ k: Int32) {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: hashes[Int(k)]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = k
        }

        private mutating func grow() {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            for k in 0..<values.count { place(Int32(k)) }
        }
    }
}
