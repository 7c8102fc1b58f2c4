import Core
import Foundation
import SQLiteStore

/// BM25 over the FTS5 index in the Bedside database: the zero-setup default.
///
/// Two settings `bedside eval` can switch (see docs/eval-results.md for their effect):
/// the BM25 weights of the title, section and body fields, and pseudo-relevance feedback
/// (the words most shared by the first passages found are added to the query, RM3-style,
/// and the search runs again); feedback is off by default.
public struct BM25Retriever: Retriever {
    public let name = "bm25"
    public var database: BedsideDatabase
    public var fieldWeights: BedsideDatabase.FieldWeights
    /// Words added by pseudo-relevance feedback (0: off).
    public var feedbackTerms: Int
    /// Passages read for feedback.
    public var feedbackPassages: Int
    /// Search the in-memory copy of the index (`BM25Index`) rather than FTS5 itself (same
    /// ranking). On by default; `bm25_index = "fts5"` (`BEDSIDE_BM25_INDEX`) turns it off, for comparison.
    public var useMemoryIndex: Bool

    public init(
        database: BedsideDatabase, fieldWeights: BedsideDatabase.FieldWeights = .standard,
        feedbackTerms: Int = 0, feedbackPassages: Int = 3, useMemoryIndex: Bool = true
    ) {
        self.database = database
        self.useMemoryIndex = useMemoryIndex
        self.fieldWeights = fieldWeights
        self.feedbackTerms = feedbackTerms
        self.feedbackPassages = feedbackPassages
    }

    public func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
        let terms = FTSQuery.terms(question)
        guard !terms.isEmpty else { return [] }
        // The in-memory index answers unfiltered ASCII questions (same scores as FTS5); FTS5 the rest.
        guard useMemoryIndex, filters.isEmpty, BM25Index.handles(terms) else {
            return try await retrieveFTS5(question, topK: topK, filters: filters)
        }
        let index = BM25Index.shared(for: database)
        let first = try await index.search(terms: terms, limit: topK, weights: fieldWeights)
        guard feedbackTerms > 0, !first.isEmpty else { return first }
        let expansion = Self.feedback(terms: terms, passages: Array(first.prefix(feedbackPassages)), count: feedbackTerms)
        guard !expansion.isEmpty, BM25Index.handles(expansion) else { return first }
        return try await index.search(terms: terms + expansion, limit: topK, weights: fieldWeights)
    }

    /// The same search run by SQLite FTS5 (on GRDB's reader, off the cooperative pool): the
    /// path for metadata filters and non-ASCII terms, and the reference the in-memory index is tested against.
    public func retrieveFTS5(_ question: String, topK: Int, filters: [String: String] = [:]) async throws -> [RetrievedPassage] {
        let terms = FTSQuery.terms(question)
        guard !terms.isEmpty else { return [] }
        let first = try await database.searchFTS(match: FTSQuery.match(terms: terms), limit: topK, filters: filters, weights: fieldWeights)
        guard feedbackTerms > 0, !first.isEmpty else { return first }
        let expansion = Self.feedback(terms: terms, passages: Array(first.prefix(feedbackPassages)), count: feedbackTerms)
        guard !expansion.isEmpty else { return first }
        return try await database.searchFTS(match: FTSQuery.match(terms: terms + expansion), limit: topK, filters: filters, weights: fieldWeights)
    }

    /// The words (not already in the query, not stop words, not numbers) found in the most
    /// feedback passages, at least two of them; ties broken by total count, then alphabetically.
    static func feedback(terms: [String], passages: [RetrievedPassage], count: Int) -> [String] {
        let asked = Set(terms)
        var inPassages: [String: Int] = [:]
        var total: [String: Int] = [:]
        for p in passages {
            let words = FTSQuery.words(p.chunk.text).filter {
                $0.count > 2 && !FTSQuery.stopWords.contains($0) && !asked.contains($0) && Int($0) == nil
            }
            for w in words { total[w, default: 0] += 1 }
            for w in Set(words) { inPassages[w, default: 0] += 1 }
        }
        let needed = min(2, passages.count)
        return inPassages.filter { $0.value >= needed }.keys.sorted {
            (inPassages[$0]!, total[$0]!, $1) > (inPassages[$1]!, total[$1]!, $0)
        }.prefix(count).map { $0 }
    }
}
