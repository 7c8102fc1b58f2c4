import Foundation

/// Decides whether the retrieved passages answer the question, or whether Bedside refuses.
///
/// Sharing a few words with the question is not enough: on a corpus of thousands of
/// abstracts some passage always shares "longest" and "day" with "Which planet has the
/// longest day?". The gate asks how unlikely the match is by chance. Each question term
/// weighs its inverse document frequency (IDF); the evidence of a source document is the
/// IDF mass of the question terms its top passages contain, in units of `unit`, the IDF of
/// a term found in one passage only. A match worth 1 is what one coincidence explains, so
/// the gate asks for more: `minimumSpecificity` (1.5). Terms the corpus never contains
/// ("horse", "planet" in a clinical corpus) can be addressed by no passage: a share
/// (`unknownTermPenalty`) of their mass counts against the match. A question whose every
/// term a document addresses (`fullCoverage`) leaves nothing to chance and is answered, so
/// short questions ("What is sepsis?", "What is the function of MAGT1?") are answered.
///
/// The gate reads passage text only, so it judges bm25, vector and hybrid retrieval alike.
/// Documents that pass are the ones the answer may quote; the rest are withheld from the
/// generator (they stay listed as nearest sources on a refusal).
public struct RelevanceGate: Sendable {
    /// How many of the top passages may carry the answer.
    public var passagesConsidered: Int
    /// Evidence (in single-passage-term units) a document needs to answer.
    public var minimumSpecificity: Double
    /// Share of the IDF mass of the question's terms unknown to the corpus held against a match.
    public var unknownTermPenalty: Double
    /// Coverage at which a question counts as fully addressed: nothing of it is left unmatched,
    /// so no coincidence needs ruling out ("What is sepsis?" over a note on sepsis).
    public var fullCoverage: Double
    /// A passing document is quoted only when its evidence is at least this share of the best
    /// document's: a source that addresses the question less well is not cited beside it.
    public var quoteWithin: Double

    public static let defaultMinimumSpecificity = 1.5
    public static let defaultUnknownTermPenalty = 0.25

    public init(
        passagesConsidered: Int = 5, minimumSpecificity: Double = RelevanceGate.defaultMinimumSpecificity,
        unknownTermPenalty: Double = RelevanceGate.defaultUnknownTermPenalty, fullCoverage: Double = 0.9,
        quoteWithin: Double = 0.9
    ) {
        self.passagesConsidered = passagesConsidered
        self.minimumSpecificity = minimumSpecificity
        self.unknownTermPenalty = unknownTermPenalty
        self.fullCoverage = fullCoverage
        self.quoteWithin = quoteWithin
    }

    /// What one source document's top passages cover of the question.
    public struct DocumentEvidence: Sendable {
        public var documentID: String
        /// IDF-weighted share of the question's terms the document's top passages contain (0…1).
        public var coverage: Double
        /// Matched IDF mass, less the unknown-term penalty, in units of a one-passage term's IDF.
        public var specificity: Double
        /// Whether this document may answer.
        public var answers: Bool
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
        /// Each candidate document, best evidence first.
        public var documents: [DocumentEvidence]
        /// Each considered passage, in retrieval order.
        public var passages: [PassageEvidence]

        /// The documents that may be quoted: those that pass, with near the best evidence.
        public var answering: Set<String> { Set(documents.filter(\.answers).map(\.documentID)) }
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
            return PassageEvidence(
                rank: i, coverage: Self.share(q, present), present: present,
                sentenceCoverage: bestSentence.cov, sentencePresent: bestSentence.present, sentence: bestSentence.text)
        }
    }

    /// The IDF of a term that one passage in `chunks` contains: the unit of specificity.
    public static func unit(chunks: Int) -> Double {
        EvidenceScorer.idf(df: 1, n: max(chunks, 2))
    }

    public func judge(_ q: EvidenceScorer.Weighted, passages: [RetrievedPassage]) -> Judgement {
        let ev = evidence(q, passages: passages)
        guard !ev.isEmpty, q.total > 0 else {
            return Judgement(
                answer: false, reason: passages.isEmpty ? "nothing retrieved" : "the question has no searchable words", documents: [], passages: ev)
        }
        // Terms of the question no passage in the corpus contains (frequencies known only from `weigh`).
        let unknown = zip(q.terms, q.frequencies).filter { $0.1 == 0 }.reduce(0.0) { $0 + $1.0.weight }
        let unit = Self.unit(chunks: q.chunks)
        var order: [String] = []
        var present: [String: [Bool]] = [:]
        for (p, e) in zip(passages, ev) {
            let id = p.chunk.documentID
            if let seen = present[id] {
                present[id] = zip(seen, e.present).map { $0 || $1 }
            } else {
                order.append(id)
                present[id] = e.present
            }
        }
        var documents = order.map { id -> DocumentEvidence in
            let coverage = Self.share(q, present[id]!)
            let specificity = (coverage * q.total - unknownTermPenalty * unknown) / unit
            let answers = specificity >= minimumSpecificity || (coverage >= fullCoverage && specificity > 0)
            return DocumentEvidence(documentID: id, coverage: coverage, specificity: specificity, answers: answers)
        }
        documents.sort { $0.specificity > $1.specificity }
        let best = documents[0]
        for i in documents.indices where documents[i].specificity < quoteWithin * best.specificity { documents[i].answers = false }
        let ok = documents.contains(where: \.answers)
        let reason =
            ok
            ? String(format: "answered: specificity %.2f, coverage %.2f", best.specificity, best.coverage)
            : String(format: "refused: best specificity %.2f below %.2f (coverage %.2f)", best.specificity, minimumSpecificity, best.coverage)
        return Judgement(answer: ok, reason: reason, documents: documents, passages: ev)
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
