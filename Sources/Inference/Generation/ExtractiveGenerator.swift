import Core
import Foundation

/// The zero-setup generator: quotes the sentences of the best passages that cover the
/// question best, each ending with the citation of its passage. It never writes a word
/// that is not in a source, so its citations are right by construction.
///
/// The answer reads like one: the sentence that covers the question best comes first, the
/// others follow in reading order; sentences that do not name the question's focus (its
/// heaviest terms) are left out; near-duplicates (the same statement in two passages) are
/// merged into the better one; at most `maxSentences` sentences and `maxCharacters`.
public struct ExtractiveGenerator: AnswerGenerator {
    public let model = "extractive"
    /// How many top passages sentences are drawn from.
    public var passagesConsidered: Int
    public var maxSentences: Int
    /// A sentence must cover at least this share of the best sentence's coverage.
    public var relativeFloor: Double
    /// Length cap of the answer in characters (the first sentence is always kept).
    public var maxCharacters: Int
    /// Sentences sharing at least this share of their content terms (Jaccard) are one statement.
    public var duplicateSimilarity: Double

    public init(
        passagesConsidered: Int = 3, maxSentences: Int = 3, relativeFloor: Double = 0.5, maxCharacters: Int = 600,
        duplicateSimilarity: Double = 0.6
    ) {
        self.passagesConsidered = passagesConsidered
        self.maxSentences = maxSentences
        self.relativeFloor = relativeFloor
        self.maxCharacters = maxCharacters
        self.duplicateSimilarity = duplicateSimilarity
    }

    struct Candidate {
        var text: String
        var passage: Int
        var position: Int
        var score: Double
        /// The sentence's UTF-8 byte range in the passage text.
        var range: Range<Int> = 0..<0
    }

    /// Picks the sentences and their passages (pure, for tests).
    func select(passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted) -> [Candidate] {
        let scorer = EvidenceScorer()
        var candidates: [Candidate] = []
        for (p, passage) in passages.prefix(passagesConsidered).enumerated() {
            // A sentence is read in its context: the document title and section name
            // count towards covering the question ("The IM dose is…" under "Anaphylaxis").
            let context = passage.title + " " + passage.chunk.section + " "
            for (i, s) in SentenceSplitter.sentences(passage.chunk.text).enumerated() {
                let words = s.text.split(separator: " ").count
                guard words >= 4, words <= 90 else { continue }
                // Earlier passages and earlier sentences break ties.
                let score = scorer.coverage(evidence, text: context + s.text) - 0.02 * Double(p) - 0.001 * Double(i)
                candidates.append(Candidate(text: s.text, passage: p, position: i, score: score, range: s.start..<s.end))
            }
        }
        guard let best = candidates.max(by: { $0.score < $1.score }), best.score > 0 else { return [] }
        // The question's focus: its heaviest terms. A sentence that names none of them in its
        // own words (not just under the right title) does not address the question.
        let focus = Self.focusTerms(evidence)
        let addresses = { (c: Candidate) in !Set(FTSQuery.words(c.text).map(Stemmer.stem)).isDisjoint(with: focus) }
        let filterByFocus = !focus.isEmpty && candidates.contains(where: addresses)
        var chosen: [Candidate] = []
        var chosenTerms: [Set<String>] = []
        var length = 0
        for c in candidates.sorted(by: { $0.score > $1.score }) where c.score >= best.score * relativeFloor {
            if filterByFocus, !addresses(c) { continue }
            // Near-duplicates (the same statement in two passages) are merged into the better one.
            let terms = Set(CitationVerifier.terms(c.text))
            if chosenTerms.contains(where: { Self.similarity($0, terms) >= duplicateSimilarity }) { continue }
            if !chosen.isEmpty, length + c.text.count > maxCharacters { continue }
            chosen.append(c)
            chosenTerms.append(terms)
            length += c.text.count
            if chosen.count == maxSentences { break }
        }
        // The sentence that answers best comes first; the others follow in reading order.
        guard let lead = chosen.first else { return [] }
        return [lead] + chosen.dropFirst().sorted { ($0.passage, $0.position) < ($1.passage, $1.position) }
    }

    /// Question terms weighing at least 60% of the heaviest one.
    static func focusTerms(_ evidence: EvidenceScorer.Weighted) -> Set<String> {
        guard let top = evidence.terms.map(\.weight).max(), top > 0 else { return [] }
        return Set(evidence.terms.filter { $0.weight >= 0.6 * top }.map(\.stem))
    }

    /// Jaccard similarity of two term sets.
    static func similarity(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 1 : Double(a.intersection(b).count) / Double(union)
    }

    public func generate(
        question: String, passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted,
        emit: @Sendable (AnswerEvent) -> Void
    ) async throws -> Answer {
        let chosen = select(passages: passages, evidence: evidence)
        // Number the cited passages in order of first use.
        var numberOf: [Int: Int] = [:]
        for c in chosen where numberOf[c.passage] == nil { numberOf[c.passage] = numberOf.count + 1 }
        let citations = numberOf.sorted { $0.value < $1.value }.map { passages[$0.key].citation($0.value) }
        emit(.citations(citations))
        var sentences: [AnswerSentence] = []
        var text = ""
        for c in chosen {
            let n = numberOf[c.passage]!
            let piece = Self.cite(c.text, n)
            let delta = (text.isEmpty ? "" : " ") + piece
            text += delta
            emit(.delta(delta))
            // The quoted sentence is its own support: its place in the document.
            let chunk = passages[c.passage].chunk
            let start = chunk.start + c.range.lowerBound
            let end = min(chunk.end, chunk.start + c.range.upperBound)
            let spans = start < end ? [SourceSpan(citation: n, documentID: chunk.documentID, start: start, end: end)] : []
            sentences.append(AnswerSentence(text: piece, citations: [n], spans: spans))
        }
        return Answer(question: question, answer: text, sentences: sentences, citations: citations, model: model)
    }

    /// `"Give 30 mL/kg."` → `"Give 30 mL/kg [1]."`
    static func cite(_ sentence: String, _ n: Int) -> String {
        var s = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
        var end = ""
        if let last = s.last, ".!?".contains(last) {
            end = String(last)
            s.removeLast()
        }
        return "\(s) [\(n)]\(end.isEmpty ? "." : end)"
    }
}
