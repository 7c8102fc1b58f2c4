import Core
import Foundation

/// The zero-setup generator: quotes the sentences of the best passages that cover the
/// question best, each ending with the citation of its passage. It never writes a word
/// that is not in a source, so its citations are right by construction.
public struct ExtractiveGenerator: AnswerGenerator {
    public let model = "extractive"
    /// How many top passages sentences are drawn from.
    public var passagesConsidered: Int
    public var maxSentences: Int
    /// A sentence must cover at least this share of the best sentence's coverage.
    public var relativeFloor: Double

    public init(passagesConsidered: Int = 3, maxSentences: Int = 3, relativeFloor: Double = 0.5) {
        self.passagesConsidered = passagesConsidered
        self.maxSentences = maxSentences
        self.relativeFloor = relativeFloor
    }

    struct Candidate {
        var text: String
        var passage: Int
        var position: Int
        var score: Double
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
                candidates.append(Candidate(text: s.text, passage: p, position: i, score: score))
            }
        }
        guard let best = candidates.max(by: { $0.score < $1.score }), best.score > 0 else { return [] }
        var chosen: [Candidate] = []
        var seen = Set<String>()
        for c in candidates.sorted(by: { $0.score > $1.score }) where c.score >= best.score * relativeFloor {
            let key = c.text.lowercased()
            if seen.insert(key).inserted { chosen.append(c) }
            if chosen.count == maxSentences { break }
        }
        return chosen.sorted { ($0.passage, $0.position) < ($1.passage, $1.position) }
    }

    public func generate(question: String, passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted,
                         emit: @Sendable (AnswerEvent) -> Void) async throws -> Answer {
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
            sentences.append(AnswerSentence(text: piece, citations: [n]))
        }
        return Answer(question: question, answer: text, sentences: sentences, citations: citations, model: model)
    }

    /// `"Give 30 mL/kg."` → `"Give 30 mL/kg [1]."`
    static func cite(_ sentence: String, _ n: Int) -> String {
        var s = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
        var end = ""
        if let last = s.last, ".!?".contains(last) { end = String(last); s.removeLast() }
        return "\(s) [\(n)]\(end.isEmpty ? "." : end)"
    }
}
