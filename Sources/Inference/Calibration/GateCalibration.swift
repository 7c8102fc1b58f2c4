import Core
import Foundation
import SQLiteStore

/// Calibrates the relevance gate's `minimumSpecificity` from the corpus it is given.
///
/// The specificity threshold is in units of a one-passage term's IDF, which already means
/// much the same on 100 documents as on 100,000; what a coincidence looks like still depends on
/// the corpus (how long its passages are, how its vocabulary spreads). So the threshold is
/// measured, not assumed: pseudo-questions are drawn from the corpus's own passages
/// (`PseudoQuestions`: answerable ones from a sentence, unanswerable ones that no single
/// document covers), each is run through retrieval and the gate as a real question is, and the
/// threshold that best separates the two (balanced accuracy; ties toward refusing) is kept,
/// clamped to `range`. Run at the end of an ingest; `eval --calibrate` and `doctor` report it.
public struct GateCalibration: Sendable {
    /// Thresholds outside this are not trusted, whatever the pseudo-questions say: below 1 a
    /// single coincidence would answer; above 3 the strong-statistics rule would never apply.
    public static let range: ClosedRange<Double> = 1.0...3.0
    /// Candidate thresholds are searched on this grid.
    static let step = 0.01

    public var questions: PseudoQuestions
    public var gate: RelevanceGate
    public var topK: Int

    public init(questions: PseudoQuestions = PseudoQuestions(), gate: RelevanceGate = RelevanceGate(), topK: Int = QueryRequest.defaultTopK) {
        self.questions = questions
        self.gate = gate
        self.topK = topK
    }

    /// One pseudo-question and the highest threshold at which the gate still answers it
    /// (+∞: answered at any threshold; -∞: refused at any).
    public struct Outcome: Sendable {
        public var question: PseudoQuestion
        public var critical: Double
    }

    /// Draws the pseudo-questions, judges them and chooses the threshold.
    public func run(corpus: any Corpus) async throws -> (record: GateCalibrationRecord, outcomes: [Outcome]) {
        let started = Date()
        let retriever = corpus.calibrationRetriever()
        let passages = try await sample(corpus)
        // Searching once loads the in-memory index, so the frequencies below need no query per word.
        if let first = passages.first { _ = try await retriever.retrieve(first.text, topK: 1, filters: [:]) }
        let words = Array(Set(passages.flatMap { PseudoQuestions.contentWords($0.text) }))
        let (df, chunks) = try await corpus.termFrequencies(words)
        let drawn = questions.draw(passages) { EvidenceScorer.idf(df: df[$0] ?? 0, n: chunks) }
        var outcomes: [Outcome] = []
        for q in drawn {
            let found = try await retriever.retrieve(q.text, topK: topK, filters: [:])
            let weighted = try await EvidenceScorer().weigh(question: q.text, database: corpus)
            let focus = QuestionFocus(question: q.text, evidence: weighted)
            let (critical, covered) = Self.critical(gate, weighted, focus: focus, passages: found)
            // An "unanswerable" question whose every word one retrieved document holds is not
            // known to be unanswerable (the draw cannot see the whole corpus): it is left out.
            if !q.answerable && covered { continue }
            outcomes.append(Outcome(question: q, critical: critical))
        }
        let positives = outcomes.filter(\.question.answerable).map(\.critical)
        let negatives = outcomes.filter { !$0.question.answerable }.map(\.critical)
        let choice = Self.choose(positives: positives, negatives: negatives)
        let record = GateCalibrationRecord(
            threshold: choice.threshold, unclamped: choice.unclamped, balancedAccuracy: choice.accuracy,
            defaultAccuracy: Self.balancedAccuracy(RelevanceGate.defaultMinimumSpecificity, positives: positives, negatives: negatives),
            answerable: positives.count, unanswerable: negatives.count,
            answered: positives.filter { $0 >= choice.threshold }.count, refused: negatives.filter { $0 < choice.threshold }.count,
            documents: try await corpus.counts().documents, indexVersion: try await corpus.indexVersion(),
            seconds: (Date().timeIntervalSince(started) * 1000).rounded() / 1000)
        return (record, outcomes)
    }

    /// One passage from each of up to `questions.count` documents spread evenly over the corpus
    /// (by id order, from a seeded offset), each passage chosen by the same seed.
    func sample(_ corpus: any Corpus) async throws -> [PseudoQuestions.Passage] {
        let ids = try await corpus.documentIDs()
        guard !ids.isEmpty else { return [] }
        var rng = SplitMix64(seed: questions.seed &+ 1)
        let wanted = min(ids.count, questions.count)
        let stride = Double(ids.count) / Double(wanted)
        let offset = Double(rng.below(max(1, Int(stride)))) // within the first stride
        var out: [PseudoQuestions.Passage] = []
        for k in 0..<wanted {
            let id = ids[min(ids.count - 1, Int(offset + Double(k) * stride))]
            let chunks = try await corpus.chunks(documentID: id)
            guard !chunks.isEmpty else { continue }
            out.append(.init(documentID: id, text: chunks[rng.below(chunks.count)].text))
        }
        return out
    }

    /// The highest threshold at which `gate` answers: the verdict can only turn from answer to
    /// refusal as the threshold rises (a document's "strong" rule is `specificity ≥ threshold`),
    /// so it is read from two verdicts, at -∞ and at +∞: answered at +∞ means always; refused
    /// at -∞ means never; otherwise the best specificity among the documents that answer at -∞.
    /// Also says whether some document's top passages hold the whole question (`fullCoverage`).
    static func critical(
        _ gate: RelevanceGate, _ q: EvidenceScorer.Weighted, focus: QuestionFocus?, passages: [RetrievedPassage]
    ) -> (critical: Double, covered: Bool) {
        var lenient = gate
        lenient.minimumSpecificity = -.infinity
        let j = lenient.judge(q, focus: focus, passages: passages)
        let covered = j.documents.contains { $0.coverage >= gate.fullCoverage }
        guard j.answer else { return (-.infinity, covered) }
        var strict = gate
        strict.minimumSpecificity = .infinity
        if strict.judge(q, focus: focus, passages: passages).answer { return (.infinity, covered) }
        return (j.documents.filter(\.answers).map(\.specificity).max() ?? -.infinity, covered)
    }

    /// Balanced accuracy of threshold `t`: the mean of the share of answerable questions answered
    /// (critical ≥ t) and the share of unanswerable ones refused (critical < t).
    static func balancedAccuracy(_ t: Double, positives: [Double], negatives: [Double]) -> Double {
        guard !positives.isEmpty, !negatives.isEmpty else { return 0 }
        let tpr = Double(positives.filter { $0 >= t }.count) / Double(positives.count)
        let tnr = Double(negatives.filter { $0 < t }.count) / Double(negatives.count)
        return (tpr + tnr) / 2
    }

    /// The threshold on the grid (from 0 to 4) with the best balanced accuracy, the highest of
    /// equals (a tie goes toward refusing), then clamped to `range`. Without both kinds of
    /// question it keeps the default.
    public static func choose(
        positives: [Double], negatives: [Double], range: ClosedRange<Double> = GateCalibration.range
    ) -> (threshold: Double, unclamped: Double, accuracy: Double) {
        let fallback = RelevanceGate.defaultMinimumSpecificity
        guard !positives.isEmpty, !negatives.isEmpty else { return (fallback, fallback, 0) }
        var best = (t: fallback, accuracy: -1.0)
        for k in 0...Int((4 / step).rounded()) {
            let t = Double(k) * step
            let accuracy = balancedAccuracy(t, positives: positives, negatives: negatives)
            if accuracy >= best.accuracy - 1e-12 { best = (t, max(accuracy, best.accuracy)) }
        }
        let clamped = min(max(best.t, range.lowerBound), range.upperBound)
        return (clamped, best.t, balancedAccuracy(clamped, positives: positives, negatives: negatives))
    }
}
