import Foundation

/// Decides whether the retrieved passages answer the question, or whether Bedside refuses.
///
/// Work in progress: the rule is being calibrated (see `bedside eval --calibrate`).
public struct RelevanceGate: Sendable {
    /// How many of the top passages may carry the answer.
    public var passagesConsidered: Int
    public var coverageThreshold: Double
    public static let defaultCoverageThreshold = 0.45

    public init(passagesConsidered: Int = 3, coverageThreshold: Double = RelevanceGate.defaultCoverageThreshold) {
        self.passagesConsidered = passagesConsidered
        self.coverageThreshold = coverageThreshold
    }

    /// What one passage covers of the question.
    public struct PassageEvidence: Sendable {
        /// Rank of the passage in the retrieval (0 = best).
        public var rank: Int
        /// IDF-weighted share of the question's terms in the passage with its title and section.
        public var coverage: Double
        /// Per question term (order of `Weighted.terms`): whether the passage holds it.
        public var present: [Bool]
        /// The best single sentence (with the title and section as context): its coverage and terms.
        public var sentenceCoverage: Double
        public var sentencePresent: [Bool]
        public var sentence: String
    }

    /// The verdict with the evidence it rests on.
    public struct Judgement: Sendable {
        public var answer: Bool
        /// Why, in words (for logs, `eval --details` and tests).
        public var reason: String
        /// The evidence of the passage the verdict rests on (nil when nothing was retrieved).
        public var best: PassageEvidence?
        public var passages: [PassageEvidence]
    }

    public func evidence(_ q: EvidenceScorer.Weighted, passages: [RetrievedPassage]) -> [PassageEvidence] {
        passages.prefix(passagesConsidered).enumerated().map { i, p in
            let context = p.title + " " + p.chunk.section + " "
            let whole = Self.stems(context + p.chunk.text)
            let present = q.terms.map { whole.contains($0.stem) }
            let contextStems = Self.stems(context)
            var bestSentence = (cov: -1.0, present: [Bool](), text: "")
            for s in SentenceSplitter.sentences(p.chunk.text) {
                let st = Self.stems(s.text).union(contextStems)
                let pr = q.terms.map { st.contains($0.stem) }
                let cov = Self.share(q, pr)
                if cov > bestSentence.cov { bestSentence = (cov, pr, s.text) }
            }
            if bestSentence.cov < 0 { bestSentence = (0, q.terms.map { _ in false }, "") }
            return PassageEvidence(rank: i, coverage: Self.share(q, present), present: present,
                                   sentenceCoverage: bestSentence.cov, sentencePresent: bestSentence.present, sentence: bestSentence.text)
        }
    }

    public func judge(_ q: EvidenceScorer.Weighted, passages: [RetrievedPassage]) -> Judgement {
        let ev = evidence(q, passages: passages)
        guard let best = ev.max(by: { $0.coverage < $1.coverage }) else {
            return Judgement(answer: false, reason: "nothing retrieved", best: nil, passages: ev)
        }
        let ok = best.coverage >= coverageThreshold
        return Judgement(answer: ok, reason: ok ? "covered" : String(format: "coverage %.2f below %.2f", best.coverage, coverageThreshold),
                         best: best, passages: ev)
    }

    static func stems(_ text: String) -> Set<String> {
        Set(FTSQuery.words(text).map(Stemmer.stem))
    }

    static func share(_ q: EvidenceScorer.Weighted, _ present: [Bool]) -> Double {
        guard q.total > 0 else { return 0 }
        var hit = 0.0
        for (t, p) in zip(q.terms, present) where p { hit += t.weight }
        return hit / q.total
    }
}
