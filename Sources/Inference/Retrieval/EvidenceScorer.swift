import Foundation
import Store
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

    public func weigh(question: String, database: BedsideDatabase) async throws -> Weighted {
        let terms = FTSQuery.terms(question)
        // From the in-memory BM25 index when a search has loaded it (the same counts FTS5
        // gives, without a query per term on the caller's thread); from FTS5 otherwise.
        let loaded = BM25Index.shared(for: database).loadedFrequencies(terms)
        let (df, n) = if let loaded { loaded } else { try await database.termChunkFrequencies(terms) }
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
        var hit = 0.0
        for t in q.terms where words.contains(t.stem) { hit += t.weight }
        return hit / q.total
    }
}

/// A small suffix-stripping stemmer (a subset of Porter's step 1 and common endings), so
/// that "fluids"/"fluid" and "bleeding"/"bleed" meet when counting coverage.
public enum Stemmer {
    public static func stem(_ word: String) -> String {
        // The gate and the extractive answer stem every word of the top passages for each
        // question, mostly words seen before: a bounded memo makes that a dictionary lookup.
        if let known = memo.withLock({ $0[word] }) { return known }
        let stemmed = word.utf8.count == word.count ? singleByte(word) : reference(word)
        memo.withLock { table in
            if table.count >= memoCapacity { table.removeAll(keepingCapacity: true) }
            table[word] = stemmed
        }
        return stemmed
    }

    /// Words stemmed so far (cleared when full, so its memory stays bounded).
    static let memo = Mutex<[String: String]>([:])
    static let memoCapacity = 65_536

    /// The suffix rules, in the order `reference(_:)` tries them (two arrays, not an array of
    /// tuples: a debug build looks up tuple metadata on every access).
    static let suffixes: [String] = [
        "ational", "ization", "fulness", "iveness", "ations", "ation", "ements", "ement", "ments", "ment", "ingly", "edly",
        "ities", "ity", "ies", "ied", "sses", "ness", "ing", "ed", "ly", "es", "s",
    ]
    static let replacements: [String] = [
        "ate", "ize", "ful", "ive", "ate", "ate", "", "", "", "", "", "", "", "", "y", "y", "ss", "", "", "", "", "", "",
    ]
    static let suffixLengths: [Int] = suffixes.map(\.utf8.count)

    /// `reference(word)` for a word whose characters are one byte each (ASCII without CR LF):
    /// lengths are then byte counts, which need no walk over the characters.
    static func singleByte(_ word: String) -> String {
        var w = word
        guard w.utf8.count > 3 else { return w }
        var i = 0
        while i < suffixes.count {
            if w.hasSuffix(suffixes[i]), w.utf8.count - suffixLengths[i] >= 3 {
                if i == suffixes.count - 1, w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { break }
                w = String(decoding: Array(w.utf8.dropLast(suffixLengths[i])), as: UTF8.self) + replacements[i]
                break
            }
            i += 1
        }
        // "bleed" stays; "stopp" → "stop"
        if w.utf8.count > 4, let last = w.last, w.dropLast().last == last, last != "l", last != "s", last != "z" { w.removeLast() }
        if w.hasSuffix("e"), w.utf8.count > 4 { w.removeLast() }
        return w
    }

    /// The stemmer's rules on characters, for any word.
    static func reference(_ word: String) -> String {
        var w = word
        guard w.count > 3 else { return w }
        for (suffix, replacement) in [
            ("ational", "ate"), ("ization", "ize"), ("fulness", "ful"), ("iveness", "ive"),
            ("ations", "ate"), ("ation", "ate"), ("ements", ""), ("ement", ""), ("ments", ""), ("ment", ""),
            ("ingly", ""), ("edly", ""), ("ities", ""), ("ity", ""), ("ies", "y"), ("ied", "y"),
            ("sses", "ss"), ("ness", ""), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", ""),
        ] {
            if w.hasSuffix(suffix), w.count - suffix.count >= 3 {
                if suffix == "s", w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { break }
                w = String(w.dropLast(suffix.count)) + replacement
                break
            }
        }
        if w.count > 4, let last = w.last, w.dropLast().last == last, !"lsz".contains(last) { w.removeLast() } // "bleed" stays; "stopp" → "stop"
        if w.hasSuffix("e"), w.count > 4 { w.removeLast() }
        return w
    }
}
