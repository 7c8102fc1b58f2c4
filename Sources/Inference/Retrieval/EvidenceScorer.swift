import Foundation
import SQLiteStore
import Synchronization

/// How well a passage covers a question: the share of the question's content terms,
/// weighted by inverse document frequency, that the passage contains (0…1).
///
/// BM25 scores are not comparable across questions or corpora; coverage is. A question
/// whose distinctive terms appear in no indexed passage ("Who won the 1998 World Cup?")
/// scores near 0 and is refused rather than answered from the nearest noise.
public struct EvidenceScorer: Sendable {
    /// The question's terms with their weights (IDF against the chunk index).
    public struct Weighted: Sendable {
        public var terms: [(stem: String, weight: Double)]
        public var total: Double
        /// How many chunks contain each term (same order as `terms`; empty when unknown).
        public var frequencies: [Int]
        /// Chunks in the index when the terms were weighed (0 when unknown).
        public var chunks: Int

        public init(terms: [(stem: String, weight: Double)], total: Double, frequencies: [Int] = [], chunks: Int = 0) {
            self.terms = terms
            self.total = total
            self.frequencies = frequencies
            self.chunks = chunks
        }
    }

    public init() {}

    public func weigh(question: String, database: any Corpus) async throws -> Weighted {
        let terms = FTSQuery.terms(question)
        let (df, n) = try await database.termFrequencies(terms)
        let stems = terms.map { (stem: Stemmer.stem($0), weight: Self.idf(df: df[$0] ?? 0, n: n)) }
        return Weighted(terms: stems, total: stems.reduce(0) { $0 + $1.weight }, frequencies: terms.map { df[$0] ?? 0 }, chunks: n)
    }

    static func idf(df: Int, n: Int) -> Double {
        log(1 + (Double(n) - Double(df) + 0.5) / (Double(df) + 0.5))
    }

    /// Weighted share of the question's terms found in `text`.
    public func coverage(_ q: Weighted, text: String) -> Double {
        guard q.total > 0 else { return 0 }
        let words = Set(FTSQuery.words(text).map(Stemmer.stem))
        return q.terms.filter { words.contains($0.stem) }.reduce(0) { $0 + $1.weight } / q.total
    }
}

/// The one stemmer: SQLite FTS5's Porter stemmer (`Porter`, the rule the `chunk_fts` index
/// applies), so the gate, the checker and the extractive answer meet words exactly as
/// retrieval does: "inheritance" and "inherited", "fluids" and "fluid" share a stem.
public enum Stemmer {
    public static func stem(_ word: String) -> String {
        // The gate and the extractive answer stem every word of the top passages for each
        // question, mostly words seen before: a bounded memo makes that a dictionary lookup.
        if let known = memo.withLock({ $0[word] }) { return known }
        // Folded (lower case, no diacritics) and stemmed as the index's tokenizer does; a word
        // the tokenizer cuts in two keeps its parts joined.
        var stemmed = ""
        ChunkTokenizer.tokenize(word) { stemmed += String(decoding: $0, as: UTF8.self) }
        memo.withLock { table in
            if table.count >= memoCapacity { table.removeAll(keepingCapacity: true) }
            table[word] = stemmed
        }
        return stemmed
    }

    /// Words stemmed so far (cleared when full, so its memory stays bounded).
    static let memo = Mutex<[String: String]>([:])
    static let memoCapacity = 65_536
}
