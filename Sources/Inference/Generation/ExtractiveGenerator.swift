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

    /// Picks the sentences and their passages (pure, for tests), by the kind of answer the
    /// question wants (`AnswerKind`):
    ///
    /// - a list (criteria, components, score items) or the steps of management: when a passage
    ///   holds a bullet or numbered list, or a table, under a heading or lead-in about the
    ///   question, the lead-in and every item are quoted, whole, each item a sentence of its own;
    /// - an amount (dose, rate, duration, threshold): the sentence stating one of that kind
    ///   comes first and is never dropped for length; for management and bare topics, the first
    ///   sentence stating an amount under each section named by a word of the question is kept
    ///   (the FRIII rate under "Insulin" for "DKA insulin and fluids");
    /// - otherwise the sentences that cover the question best.
    ///
    /// For a list, the words that name the kind of answer ("criteria") are not the question's
    /// focus: a source that lists the items need not say "criteria". Disclaimers and navigation are
    /// never quoted (`Boilerplate`).
    func select(question: String = "", passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted) -> [Candidate] {
        let kind = AnswerKind(question)
        // A list's items seldom repeat "criteria"; an amount's sentence usually says "dose":
        // the kind's words are left out of the focus for a list only.
        let subject = kind == .list ? Self.subject(evidence, question: question) : evidence
        let focus = Self.focusTerms(subject)
        if kind == .list || kind == .management, let list = listAnswer(passages: passages, subject: subject, focus: focus) {
            return list
        }
        let scorer = EvidenceScorer()
        var candidates: [Candidate] = []
        var sectionStems: [Int: Set<String>] = [:]
        // Sentences of every passage offered are read (a section named by the question may rank
        // below the first few); only those of the first `passagesConsidered` fill the answer
        // beyond the statements of the asked amount.
        for (p, passage) in passages.enumerated() {
            // A sentence is read in its context: the document title and section name
            // count towards covering the question ("The IM dose is…" under "Anaphylaxis").
            let context = passage.title + " " + passage.chunk.section + " "
            sectionStems[p] = Set(FTSQuery.words(passage.chunk.section).map(Stemmer.stem))
            for (i, s) in SentenceSplitter.sentences(passage.chunk.text).enumerated() {
                let unit = Self.unit(s)
                let words = unit.text.split(separator: " ").count
                guard words >= 4, words <= 90, !Boilerplate.isBoilerplate(unit.text) else { continue }
                // Earlier passages and earlier sentences break ties.
                let score = scorer.coverage(subject, text: context + unit.text) - 0.02 * Double(p) - 0.001 * Double(i)
                candidates.append(Candidate(text: unit.text, passage: p, position: i, score: score, range: unit.range))
            }
        }
        let considered = candidates.filter { $0.passage < passagesConsidered }
        guard let best = considered.max(by: { $0.score < $1.score }), best.score > 0 else { return [] }
        // The question's focus: its heaviest terms. A sentence that names none of them in its
        // own words (not just under the right title) does not address the question.
        let ownStems = { (c: Candidate) in Set(FTSQuery.words(c.text).map(Stemmer.stem)) }
        let addresses = { (c: Candidate) in !ownStems(c).isDisjoint(with: focus) }
        let filterByFocus = !focus.isEmpty && considered.contains(where: addresses)
        let required = keyStatements(candidates, kind: kind, subject: subject, focus: focus, sectionStems: sectionStems, addresses: addresses)
        var chosen: [Candidate] = []
        var chosenTerms: [Set<String>] = []
        var length = 0
        // The statements of the asked amount come first and are never dropped for length.
        for c in required {
            chosen.append(c)
            chosenTerms.append(Set(CitationVerifier.terms(c.text)))
            length += c.text.count
        }
        for c in considered.sorted(by: { $0.score > $1.score }) where c.score >= best.score * relativeFloor {
            if chosen.count >= maxSentences { break }
            if filterByFocus, !addresses(c) { continue }
            if chosen.contains(where: { $0.passage == c.passage && $0.position == c.position }) { continue }
            // Near-duplicates (the same statement in two passages) are merged into the better one.
            let terms = Set(CitationVerifier.terms(c.text))
            if chosenTerms.contains(where: { Self.similarity($0, terms) >= duplicateSimilarity }) { continue }
            if !chosen.isEmpty, length + c.text.count > maxCharacters { continue }
            chosen.append(c)
            chosenTerms.append(terms)
            length += c.text.count
        }
        // The statement of the asked amount comes first (else the sentence that answers best);
        // the others follow in reading order.
        guard let lead = required.first ?? chosen.max(by: { $0.score < $1.score }) else { return [] }
        let rest = chosen.filter { !($0.passage == lead.passage && $0.position == lead.position) }
        return [lead] + rest.sorted { ($0.passage, $0.position) < ($1.passage, $1.position) }
    }

    /// The sentences that state the asked amount, which the answer must keep: for an amount
    /// question, the best-covering sentence that addresses the focus and states an amount of
    /// that kind; for management and bare topics, under each section whose heading names a
    /// word of the question, the first sentence there that states an amount.
    func keyStatements(
        _ candidates: [Candidate], kind: AnswerKind, subject: EvidenceScorer.Weighted, focus: Set<String>, sectionStems: [Int: Set<String>],
        addresses: (Candidate) -> Bool
    ) -> [Candidate] {
        var out: [Candidate] = []
        func add(_ c: Candidate) {
            if !out.contains(where: { $0.passage == c.passage && $0.position == c.position }) { out.append(c) }
        }
        let inOrder = candidates.sorted { ($0.passage, $0.position) < ($1.passage, $1.position) }
        let headed = { (c: Candidate) in !(sectionStems[c.passage] ?? []).isDisjoint(with: focus) }
        if kind.isQuantity {
            let stating = candidates.filter { $0.passage < passagesConsidered }.filter { (addresses($0) || headed($0)) && kind.isStated(in: $0.text) }
            if let top = stating.max(by: { $0.score < $1.score }) { add(top) }
        }
        guard kind.isQuantity || kind == .management || kind == .other else { return out }
        for term in subject.terms.map(\.stem) where focus.contains(term) || subject.terms.count <= 4 {
            // The first amount stated in a section named by this word of the question.
            if let c = inOrder.first(where: { (sectionStems[$0.passage] ?? []).contains(term) && kind.isStated(in: $0.text) }) { add(c) }
            if out.count >= maxSentences { break }
        }
        return out
    }

    /// The question's terms less the words that name the kind of answer ("criteria", "dose"),
    /// unless nothing else is left.
    static func subject(_ evidence: EvidenceScorer.Weighted, question: String) -> EvidenceScorer.Weighted {
        let kindStems = AnswerKind.kindStems(in: question)
        let kept = evidence.terms.enumerated().filter { !kindStems.contains($0.element.stem) }
        guard !kept.isEmpty, kept.count < evidence.terms.count else { return evidence }
        let frequencies = evidence.frequencies.count == evidence.terms.count ? kept.map { evidence.frequencies[$0.offset] } : []
        let terms = kept.map(\.element)
        return EvidenceScorer.Weighted(terms: terms, total: terms.reduce(0) { $0 + $1.weight }, frequencies: frequencies, chunks: evidence.chunks)
    }

    /// A sentence unit without its list marker (`- `, `1. `): the text shown and its byte range.
    static func unit(_ s: (text: String, start: Int, end: Int)) -> (text: String, range: Range<Int>) {
        let marker = SentenceSplitter.itemMarkerLength(s.text)
        guard marker > 0 else { return (s.text, s.start..<s.end) }
        return (String(decoding: Array(s.text.utf8)[marker...], as: UTF8.self), (s.start + marker)..<s.end)
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
        let chosen = select(question: question, passages: passages, evidence: evidence)
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
