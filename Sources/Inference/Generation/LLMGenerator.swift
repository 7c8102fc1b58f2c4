import Core
import Foundation

/// Answers with a language model behind the OpenAI-compatible API, streamed token by token,
/// then checks every citation against the sources the model was given.
///
/// Events: `.citations` with the numbered sources first, then `.delta`s of checked text only:
/// the model's text is held back and let out sentence by sentence, each once the verifier
/// has passed it (`SentenceGate`), so the deltas are always the start of the final answer's
/// text and never carry a sentence the check removes. The final `Answer` carries the
/// verified text (bad `[n]` removed, uncited sentences attributed or marked unsupported);
/// the pipeline sends the rest of it before `done`. `citations` lists only the sources the
/// verified text cites; when it cites none (or the model declined), the list is empty and
/// the pipeline refuses. If the stream is cut after text arrived (the server died, the
/// connection dropped, the total timeout passed, or the token limit stopped it), the answer
/// is `incomplete` and its partial text is verified the same way.
///
/// The generator is only called when retrieval evidence is strong (the pipeline refuses
/// weak evidence first). When the model then declines, or none of its sentences survives
/// verification (small models paraphrase doses wrongly, or describe the sources instead of
/// answering), the answer falls back to the extractive one over the same numbered passages:
/// sentences quoted from the sources, cited by construction. Such an answer's `model` is
/// `extractive (fallback: MODEL)` (see `fallbackModel(_:)`), so the substitution is visible
/// and audited. A cut (`incomplete`) answer is never replaced: its partial text is kept.
public struct LLMGenerator: AnswerGenerator {
    public var client: OpenAIChatClient
    public var promptBuilder: PromptBuilder
    public var verifier: CitationVerifier
    /// Quotes the prompt's passages when the model's own text supports nothing; nil to
    /// let such answers through uncited (the pipeline then refuses).
    public var fallback: ExtractiveGenerator?

    public var model: String { client.model }

    public init(
        client: OpenAIChatClient, promptBuilder: PromptBuilder = PromptBuilder(), verifier: CitationVerifier = CitationVerifier(),
        fallback: ExtractiveGenerator? = ExtractiveGenerator()
    ) {
        self.client = client
        self.promptBuilder = promptBuilder
        self.verifier = verifier
        self.fallback = fallback
    }

    /// The `model` of an answer quoted from the sources in place of `llm`'s text.
    public static func fallbackModel(_ llm: String) -> String { "extractive (fallback: \(llm))" }

    /// Whether an answer's `model` says it is an extractive fallback.
    public static func isFallback(_ answer: Answer) -> Bool { answer.model.hasPrefix("extractive (fallback: ") }

    public func generate(
        question: String, passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted,
        emit: @Sendable (AnswerEvent) -> Void
    ) async throws -> Answer {
        let prompt = promptBuilder.build(question: question, passages: passages)
        let citations = prompt.sources.map { $0.passage.citation($0.n) }
        emit(.citations(citations))
        var gate = SentenceGate(question: question, prompt: prompt, citations: citations, model: model, verifier: verifier)
        var end: ChatCompletionEnd?
        for try await event in client.stream(prompt.messages) {
            switch event {
            case .delta(let d):
                if let checked = gate.append(d) { emit(.delta(checked)) }
            case .end(let e):
                end = e
            }
        }
        try Task.checkCancellation()
        let text = gate.raw
        // Cut: the stream broke (server gone, timeout). Truncated: the model used up its token
        // budget. Both leave the text incomplete, but only a cut stream must be shown as it
        // arrived; a truncated one that supports nothing is as useless as a finished one.
        let cut = end?.incomplete ?? true
        let truncated = end?.finishReason == "length"
        let (answer, verified) = Self.checked(
            question: question, text: text, prompt: prompt, citations: citations, incomplete: cut || truncated,
            model: model, verifier: verifier)
        // A sentence already sent is kept: an answer that would no longer begin with it
        // (a late decline, say) ends with the checked text that was sent instead.
        guard let fallback, Self.needsFallback(answer, cut: cut, leadUnsupported: verified.leadUnsupported), gate.released.isEmpty else {
            return gate.final(answer)
        }
        return try await Self.fallbackAnswer(answer, question: question, prompt: prompt, evidence: evidence, generator: fallback) ?? answer
    }

    /// An answer that cites nothing (the model declined, or every sentence was unsupported),
    /// or whose answering sentence (its first with content) is unsupported or was removed,
    /// from a stream that was not cut: finished, or stopped at the token limit.
    static func needsFallback(_ answer: Answer, cut: Bool, leadUnsupported: Bool = false) -> Bool {
        !cut && (answer.citations.isEmpty || leadUnsupported)
    }

    /// The extractive answer over the passages the model was given, flagged as a fallback;
    /// nil when those passages hold no sentence that covers the question either.
    static func fallbackAnswer(
        _ llmAnswer: Answer, question: String, prompt: PromptBuilder.Prompt, evidence: EvidenceScorer.Weighted,
        generator: ExtractiveGenerator
    ) async throws -> Answer? {
        // Nothing of the model's was sent; the pipeline sends this answer's text before `done`.
        var quoted = try await generator.generate(question: question, passages: prompt.sources.map(\.passage), evidence: evidence) { _ in }
        guard !quoted.citations.isEmpty else { return nil }
        quoted.model = fallbackModel(llmAnswer.model)
        quoted.removedCitations = llmAnswer.removedCitations
        quoted.removedSentences = llmAnswer.removedSentences
        return quoted
    }

    /// The sources as the verifier reads them: the passage text the model saw, its title and section as context.
    public static func verifierSources(_ prompt: PromptBuilder.Prompt) -> [CitationVerifier.Source] {
        prompt.sources.map { s in
            CitationVerifier.Source(
                n: s.n, text: s.text, header: s.passage.title + "\n" + s.passage.chunk.section,
                documentID: s.passage.chunk.documentID, documentStart: s.passage.chunk.start,
                documentEnd: max(s.passage.chunk.start, s.passage.chunk.end))
        }
    }

    /// The verified answer and the verifier's full result.
    static func checked(
        question: String, text: String, prompt: PromptBuilder.Prompt, citations: [Citation], incomplete: Bool,
        model: String, verifier: CitationVerifier
    ) -> (Answer, CitationVerifier.Result) {
        let verified = verifier.verify(text, sources: verifierSources(prompt))
        let declined = CitationVerifier.isRefusal(text)
        let used = declined ? [] : citations.filter { verified.citedNumbers.contains($0.n) }
        let answer = Answer(
            question: question, answer: verified.text, sentences: verified.sentences, refused: false,
            incomplete: incomplete, citations: used, removedCitations: verified.removedCitations,
            removedSentences: verified.removedSentences, model: model)
        return (answer, verified)
    }
}
