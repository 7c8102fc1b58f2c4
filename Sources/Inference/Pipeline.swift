import Core
import Foundation
import SQLiteStore

/// The in-process inference service: retrieve, judge the evidence, generate, cite.
///
/// Stateless between questions; the database and the components it is built from are
/// the only state, so the gateway can call it concurrently.
public struct Pipeline: InferenceService {
    /// The relevance gate's specificity threshold (see `RelevanceGate`; README "How refusal works").
    public static let defaultRefusalThreshold = RelevanceGate.defaultMinimumSpecificity

    public var corpus: any Corpus
    public var retriever: any Retriever
    public var generator: any AnswerGenerator
    /// Decides whether the retrieved passages answer the question (else Bedside refuses).
    public var gate: RelevanceGate
    /// The gate's specificity threshold when the corpus has no calibration (or it is not used);
    /// setting it turns the corpus's calibration off.
    public var refusalThreshold: Double {
        get { gate.minimumSpecificity }
        set {
            gate.minimumSpecificity = newValue
            usesCorpusCalibration = false
        }
    }
    /// Whether the gate's threshold is the one calibrated on the corpus at ingest
    /// (`GateCalibration`, stored in the database), falling back to `refusalThreshold` when the
    /// corpus has none (a database made before calibration). Off: measured on every shared dev
    /// corpus, the calibrated thresholds (3.0, clamped, on all three) cost pubmedqa-dev's
    /// paraphrased yes/no questions 72 more false refusals (docs/eval-results.md), so the
    /// calibration is reported (`eval --calibrate`, `ingest`) and not yet used.
    public var usesCorpusCalibration = false
    /// Extra component checks for `status()` (LLM, Qdrant, embeddings), name → check.
    public var componentChecks: [String: @Sendable () async -> String]
    public var clock: @Sendable () -> Date

    public init(
        corpus: any Corpus, retriever: any Retriever, generator: any AnswerGenerator = ExtractiveGenerator(),
        refusalThreshold: Double = Pipeline.defaultRefusalThreshold,
        componentChecks: [String: @Sendable () async -> String] = [:], clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.corpus = corpus
        self.retriever = retriever
        self.generator = generator
        self.gate = RelevanceGate(minimumSpecificity: refusalThreshold)
        self.componentChecks = componentChecks
        self.clock = clock
    }

    /// The pipeline on the SQLite file, searched with BM25 unless told otherwise.
    public init(
        database: BedsideDatabase, retriever: (any Retriever)? = nil, generator: any AnswerGenerator = ExtractiveGenerator(),
        refusalThreshold: Double = Pipeline.defaultRefusalThreshold,
        componentChecks: [String: @Sendable () async -> String] = [:], clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.init(
            corpus: database, retriever: retriever ?? BM25Retriever(database: database), generator: generator,
            refusalThreshold: refusalThreshold, componentChecks: componentChecks, clock: clock)
    }

    public func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        .producing { continuation in
            let answer = try await run(request) { continuation.yield($0) }
            continuation.yield(.done(answer))
        }
    }

    /// What retrieval found for a question and the relevance gate's verdict on it.
    public struct Assessment: Sendable {
        public var passages: [RetrievedPassage]
        public var evidence: EvidenceScorer.Weighted
        public var judgement: RelevanceGate.Judgement
    }

    /// Retrieves passages for a validated request and judges whether they answer it.
    public func assess(_ request: QueryRequest) async throws -> Assessment {
        let passages = try await retriever.retrieve(request.question, topK: request.topK, filters: request.filters)
        let evidence = try await EvidenceScorer().weigh(question: request.question, database: corpus)
        let focus = QuestionFocus(question: request.question, evidence: evidence)
        let gate = try await gateInUse()
        return Assessment(passages: passages, evidence: evidence, judgement: gate.judge(evidence, focus: focus, passages: passages))
    }

    /// The gate as it judges now: with the corpus's calibrated threshold when it is used and stored.
    public func gateInUse() async throws -> RelevanceGate {
        guard usesCorpusCalibration, let calibrated = try await corpus.gateCalibration() else { return gate }
        var gate = self.gate
        gate.minimumSpecificity = calibrated.threshold
        return gate
    }

    /// Runs one question, emitting events; returns the final answer.
    public func run(_ raw: QueryRequest, emit: @Sendable (AnswerEvent) -> Void) async throws -> Answer {
        let request = try raw.validated()
        return try await run(request, assessment: try await assess(request), started: clock(), emit: emit)
    }

    /// Answers (or refuses) a validated request from an assessment of it.
    ///
    /// The `delta`s emitted always concatenate to the returned answer's text: the generator
    /// sends only checked text the answer keeps, and what it has not sent (all of a refusal
    /// or a fallback, the last sentence of a model's answer) is sent here before returning.
    public func run(_ request: QueryRequest, assessment: Assessment, started: Date, emit: @Sendable (AnswerEvent) -> Void) async throws -> Answer {
        let version = try await corpus.indexVersion()
        let passages = assessment.passages
        let sent = Locked("")
        let tracked: @Sendable (AnswerEvent) -> Void = { event in
            if case .delta(let text) = event { sent.withLock { $0 += text } }
            emit(event)
        }
        var answer: Answer
        if !assessment.judgement.answer {
            answer = Self.refusal(question: request.question, nearest: Array(passages.prefix(3)), model: generator.model)
            emit(.citations([]))
        } else {
            var quotable = Self.quotable(passages, judgement: assessment.judgement)
            quotable = try await listContext(quotable, question: request.question, evidence: assessment.evidence)
            answer = try await generator.generate(question: request.question, passages: quotable, evidence: assessment.evidence, emit: tracked)
            if answer.citations.isEmpty && !answer.incomplete {
                // The generator found nothing it could support: refuse rather than answer uncited.
                answer = Self.refusal(question: request.question, nearest: Array(passages.prefix(3)), model: generator.model)
            }
        }
        try Self.sendRest(of: answer.answer, after: sent.current, emit: emit)
        answer.question = request.question
        answer.indexVersion = version
        answer.retriever = retriever.name
        answer.createdAt = clock()
        answer.latencyMS = (clock().timeIntervalSince(started) * 1000 * 100).rounded() / 100
        return answer
    }

    /// The passages the answer may quote (or a model may be shown): those of the documents that
    /// address the question and, when the question has a focus, only the passages that cover it
    /// themselves, so no sentence (extractive or a model's) can rest on a passage about
    /// something else (a meningitis dose for a pertussis question).
    static func quotable(_ passages: [RetrievedPassage], judgement: RelevanceGate.Judgement) -> [RetrievedPassage] {
        let answering = judgement.answering
        return passages.enumerated().filter { i, p in
            guard answering.contains(p.chunk.documentID) else { return false }
            // A yes/no question may be answered "no" by a source that words it otherwise.
            guard let focus = judgement.focus, !focus.yesNo else { return true }
            return i < judgement.passages.count && judgement.passages[i].coversFocus
        }.map(\.element)
    }

    /// Sends the part of `text` not yet sent as a `delta` (the whole text when nothing was sent,
    /// even when empty, so every answer has one). Text sent that `text` does not begin with
    /// would be words on the wire the answer does not keep: the answer is withheld instead.
    static func sendRest(of text: String, after sent: String, emit: @Sendable (AnswerEvent) -> Void) throws {
        guard text.utf8.starts(with: sent.utf8) else {
            throw BedsideError(
                .internalError, "The answer was withheld: its streamed text did not match the checked answer.",
                detail: "sent \(sent.utf8.count) bytes that the answer does not begin with")
        }
        let rest = String(decoding: text.utf8.dropFirst(sent.utf8.count), as: UTF8.self)
        if !rest.isEmpty || sent.isEmpty { emit(.delta(rest)) }
    }

    public static let refusalText =
        "The indexed sources do not answer this question, so Bedside will not guess. Try naming the condition or drug, or add the guideline with `bedside ingest`."

    /// The refusal when not even a near source was found.
    public static let noNearSourceRefusalText =
        "The indexed sources do not answer this question, and no source is near it. Try naming the condition or drug, or add the guideline with `bedside ingest`."

    static func refusal(question: String, nearest: [RetrievedPassage], model: String) -> Answer {
        Answer(
            question: question, answer: nearest.isEmpty ? noNearSourceRefusalText : refusalText,
            refused: true, nearestSources: nearest.enumerated().map { $0.element.citation($0.offset + 1) }, model: model)
    }

    public func status() async throws -> InferenceStatus {
        let (docs, chunks) = try await corpus.counts()
        var components: [String: String] = ["database": "ok"]
        for (name, check) in componentChecks { components[name] = await check() }
        return InferenceStatus(
            ready: components.values.allSatisfy { $0 == "ok" }, indexVersion: try await corpus.indexVersion(), model: generator.model,
            retriever: retriever.name, documents: docs, chunks: chunks, components: components)
    }
}
