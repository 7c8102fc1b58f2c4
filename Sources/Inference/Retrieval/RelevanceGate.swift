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
    /// With a focus: the share of the IDF mass of the question's content words a document's
    /// top passages must hold besides covering the focus (a share, so it reads the same on any
    /// corpus and for any length of question).
    public var minimumContentShare: Double = 2.0 / 3.0

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
        /// Whether its top passages hold the question's whole focus (true when there is none).
        public var coversFocus: Bool = true
        /// Focus stems (or "a b" phrases) none of its top passages holds.
        public var missingFocus: [String] = []
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
        /// Whether the passage (with its title and section) holds the whole focus.
        public var coversFocus: Bool = true
        /// Per focus stem (order of `QuestionFocus.terms`): whether the passage holds it.
        public var focusPresent: [Bool] = []
        /// Per focus pair (order of `QuestionFocus.pairs`): whether the passage holds it as a phrase.
        public var pairsAdjacent: [Bool] = []
        /// How often the passage's text names the focus's first (rarest) word, and whether its
        /// title or section does.
        public var headCount: Int = 0
        public var headInHeading: Bool = false
        /// Whether its title or section names a word of the question's focus or context: the
        /// source is about what the question is about ("Atrial fibrillation" for "apixaban dose
        /// reduction in atrial fibrillation"; not "Head lice" for "fleas on a cat").
        public var topicInHeading: Bool = false
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
        /// The question's focus the verdict asked for (nil: judged without one).
        public var focus: QuestionFocus? = nil

        /// The documents that may be quoted: those that pass, with near the best evidence.
        public var answering: Set<String> { Set(documents.filter(\.answers).map(\.documentID)) }
    }

    public func evidence(_ q: EvidenceScorer.Weighted, focus: QuestionFocus? = nil, passages: [RetrievedPassage]) -> [PassageEvidence] {
        var ev: [PassageEvidence] = passages.prefix(passagesConsidered).enumerated().map { i, p in
            let context = p.title + " " + p.chunk.section + " "
            let sequence = FTSQuery.words(context + p.chunk.text).map(Stemmer.stem)
            let whole = Set(sequence)
            let folded = Set(whole.map(ClinicalSynonyms.spelling))
            let present = q.terms.map { whole.contains($0.stem) || ClinicalSynonyms.holds($0.stem, in: whole, folded: folded) }
            let contextStems = Self.stems(context)
            var bestSentence = (cov: -1.0, present: [Bool](), text: "")
            for s in SentenceSplitter.sentences(p.chunk.text) {
                let st = Self.stems(s.text).union(contextStems)
                let pr = q.terms.map { st.contains($0.stem) }
                let cov = Self.share(q, pr)
                if cov > bestSentence.cov { bestSentence = (cov, pr, s.text) }
            }
            if bestSentence.cov < 0 { bestSentence = (0, q.terms.map { _ in false }, "") }
            var e = PassageEvidence(
                rank: i, coverage: Self.share(q, present), present: present,
                sentenceCoverage: bestSentence.cov, sentencePresent: bestSentence.present, sentence: bestSentence.text)
            if let focus {
                e.focusPresent = focus.terms.map { QuestionFocus.holds($0, in: whole, folded: folded) }
                e.pairsAdjacent = focus.pairs.map { QuestionFocus.adjacent($0, in: sequence) }
                if let head = focus.terms.first {
                    e.headInHeading = QuestionFocus.holds(head, in: contextStems)
                    e.topicInHeading = (focus.terms + focus.context).contains { QuestionFocus.holds($0, in: contextStems) }
                    e.headCount = FTSQuery.words(p.chunk.text).filter { QuestionFocus.holds(head, in: [Stemmer.stem($0)]) }.count
                }
            }
            return e
        }
        // A pair of focus words is a phrase when some passage holds it as one ("thyroid storm"):
        // then a passage holding the words apart does not cover it.
        if let focus {
            let phrases = focus.pairs.indices.map { j in
                focus.namedPhrases.contains(focus.pairs[j]) || ev.contains { $0.pairsAdjacent[j] }
            }
            for i in ev.indices {
                ev[i].coversFocus = focus.coversCore(
                    missing: focus.missing(present: ev[i].focusPresent, adjacent: ev[i].pairsAdjacent, phrases: phrases))
            }
        }
        return ev
    }

    /// The IDF of a term that one passage in `chunks` contains: the unit of specificity.
    public static func unit(chunks: Int) -> Double {
        EvidenceScorer.idf(df: 1, n: max(chunks, 2))
    }

    /// The verdict. With a non-empty focus, a document answers when its top passages hold the
    /// whole focus (`QuestionFocus`, phrases as phrases) and at least `minimumContentShare` of
    /// the IDF mass of the question's content words (not its answer-kind words), and the focus
    /// is what it is about: several focus words together, a one-word focus in a heading or
    /// named twice, or the statistics strong (the specificity rule). Covering the focus is what
    /// makes "What is the role of ZCCHC17?" answerable, and what keeps a hyperkalaemia note from
    /// answering a question on gentamicin. A yes/no question ("Does X use Y?") may also be
    /// answered on the specificity rule alone: a source may answer "no" in other words. Without
    /// a focus (a question of answer-kind words only, or none given) the specificity rule decides.
    public func judge(_ q: EvidenceScorer.Weighted, focus: QuestionFocus? = nil, passages: [RetrievedPassage]) -> Judgement {
        let focus = focus?.terms.isEmpty == false ? focus : nil
        let ev = evidence(q, focus: focus, passages: passages)
        guard !ev.isEmpty, q.total > 0 else {
            return Judgement(
                answer: false, reason: passages.isEmpty ? "nothing retrieved" : "the question has no searchable words", documents: [], passages: ev,
                focus: focus)
        }
        // Terms of the question no passage in the corpus contains (frequencies known only from `weigh`).
        let unknown = zip(q.terms, q.frequencies).filter { $0.1 == 0 }.reduce(0.0) { $0 + $1.0.weight }
        let unit = Self.unit(chunks: q.chunks)
        var order: [String] = []
        var present: [String: [Bool]] = [:]
        var phrased: [String: [Bool]] = [:]
        var focusSeen: [String: [Bool]] = [:]
        var prominence: [String: Int] = [:]
        var headed: Set<String> = []
        var anchoredDocs: Set<String> = []
        // What a document's top passages hold: what any one of them holds.
        func union(_ held: [Bool]?, _ more: [Bool]) -> [Bool] { held.map { zip($0, more).map { $0 || $1 } } ?? more }
        for (p, e) in zip(passages, ev) {
            let id = p.chunk.documentID
            if present[id] == nil { order.append(id) }
            present[id] = union(present[id], e.present)
            focusSeen[id] = union(focusSeen[id], e.focusPresent)
            phrased[id] = union(phrased[id], e.pairsAdjacent)
            prominence[id, default: 0] += e.headInHeading ? 2 : e.headCount
            if e.headInHeading { headed.insert(id) }
            if e.topicInHeading { anchoredDocs.insert(id) }
        }
        let content = focus.map { Set($0.terms + $0.context) } ?? []
        var documents = order.map { id -> DocumentEvidence in
            let coverage = Self.share(q, present[id]!)
            let specificity = (coverage * q.total - unknownTermPenalty * unknown) / unit
            // Strong on the statistics: with a focus, a source holding the core may word the rest otherwise.
            let strong = specificity >= minimumSpecificity || (coverage >= fullCoverage && specificity > 0)
            guard let focus else {
                return DocumentEvidence(documentID: id, coverage: coverage, specificity: specificity, answers: strong)
            }
            let contentShare = Self.share(q, present[id]!, only: content)
            let phrases = focus.pairs.indices.map { j in focus.namedPhrases.contains(focus.pairs[j]) || ev.contains { $0.pairsAdjacent[j] } }
            let missing = focus.missing(present: focusSeen[id] ?? [], adjacent: phrased[id] ?? [], phrases: phrases)
            // A one-word focus must be what the source is about, not a word it names in passing
            // ("Tokyo" in a study's setting): in a heading, named twice, or with every other word
            // of the question ("What is the function of MAGT1?" over "its function in T cells").
            // Anchored: the focus is a name, or the source's headings name what the question
            // is about, or the source holds one of the question's phrases ("fluid bolus"). Only
            // then do several focus words or a full match stand in for prominence, and the
            // statistics decide: common words met in a list of foods or in passing on head lice
            // ("baking powder", "fleas on a cat") are not the source's subject.
            let phrase = (phrased[id] ?? []).contains(true)
            let anchored = !focus.names.isDisjoint(with: focus.terms) || anchoredDocs.contains(id) || phrase
            let prominent = (prominence[id] ?? 0) >= 2 || (anchored && (focus.terms.count > 1 || coverage >= fullCoverage))
            let covers = missing.isEmpty && prominent
            return DocumentEvidence(
                documentID: id, coverage: coverage, specificity: specificity,
                answers: (missing.isEmpty && (prominent || (strong && anchored)) && contentShare >= minimumContentShare) || (focus.yesNo && strong),
                coversFocus: covers,
                missingFocus: missing)
        }
        documents.sort { ($0.answers ? 1 : 0, $0.specificity) > ($1.answers ? 1 : 0, $1.specificity) }
        let best = documents[0]
        // Which answering documents are quoted beside the best. With a focus, the words that
        // name the kind of answer ("criteria", "dose") count as held by every document: a
        // source need not repeat them, and the CURB-65 note, which lists "items", must not be
        // withheld beside a treatment note that happens to say "criteria".
        let kindNeutral = { (id: String) -> Double in
            guard focus != nil, let seen = present[id] else { return documents.first { $0.documentID == id }?.specificity ?? 0 }
            let held = zip(q.terms, seen).map { $1 || QuestionFocus.answerKindWords.contains($0.stem) }
            return (Self.share(q, held) * q.total - unknownTermPenalty * unknown) / unit
        }
        let bestCut = documents.filter(\.answers).map { kindNeutral($0.documentID) }.max() ?? best.specificity
        for i in documents.indices where kindNeutral(documents[i].documentID) < quoteWithin * bestCut { documents[i].answers = false }
        // A source about the focus (named in its title or section) is quoted before, and instead
        // of, sources that name it in passing: "the initial management of sepsis" is the sepsis
        // note's, not a febrile-neutropenia note's sentence on neutropenic sepsis.
        if focus != nil, documents.contains(where: { $0.answers && headed.contains($0.documentID) }) {
            for i in documents.indices where !headed.contains(documents[i].documentID) { documents[i].answers = false }
        }
        let ok = documents.contains(where: \.answers)
        let reason: String
        if ok {
            reason = String(format: "answered: specificity %.2f, coverage %.2f", best.specificity, best.coverage)
        } else if let focus, !documents.contains(where: \.coversFocus) {
            reason = "refused: no passage covers the focus (" + focus.terms.joined(separator: ", ") + ")"
        } else if focus != nil {
            reason = String(format: "refused: the passages covering the focus hold too little of the question (coverage %.2f)", best.coverage)
        } else {
            reason = String(format: "refused: best specificity %.2f below %.2f (coverage %.2f)", best.specificity, minimumSpecificity, best.coverage)
        }
        return Judgement(answer: ok, reason: reason, documents: documents, passages: ev, focus: focus)
    }

    static func stems(_ text: String) -> Set<String> {
        Set(FTSQuery.words(text).map(Stemmer.stem))
    }

    static func share(_ q: EvidenceScorer.Weighted, _ present: [Bool]) -> Double {
        guard q.total > 0 else { return 0 }
        return zip(q.terms, present).filter(\.1).reduce(0) { $0 + $1.0.weight } / q.total
    }

    /// Weighted share of the stems in `only` that `present` marks.
    static func share(_ q: EvidenceScorer.Weighted, _ present: [Bool], only: Set<String>) -> Double {
        var hit = 0.0
        var total = 0.0
        for (t, p) in zip(q.terms, present) where only.contains(t.stem) {
            total += t.weight
            if p { hit += t.weight }
        }
        return total > 0 ? hit / total : 0
    }
}
