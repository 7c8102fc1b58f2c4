import Core
import Foundation

/// Answers with a language model behind the OpenAI-compatible API, streamed token by token,
/// then checks every citation against the sources the model was given.
///
/// Events: `.citations` with the numbered sources first, then the model's raw text as
/// `.delta`s while it streams. The final `Answer` carries the verified text (bad `[n]`
/// removed, uncited sentences attributed or marked unsupported), so a client should show
/// the `done` answer in place of the streamed text. `citations` lists only the sources the
/// verified text cites; when it cites none (or the model declined), the list is empty and
/// the pipeline refuses. If the stream is cut after text arrived (the server died, the
/// connection dropped, the total timeout passed, or the token limit stopped it), the answer
/// is `incomplete` and its partial text is verified the same way.
public struct LLMGenerator: AnswerGenerator {
    public var client: OpenAIChatClient
    public var promptBuilder: PromptBuilder
    public var verifier: CitationVerifier

    public var model: String { client.model }

    public init(client: OpenAIChatClient, promptBuilder: PromptBuilder = PromptBuilder(), verifier: CitationVerifier = CitationVerifier()) {
        self.client = client
        self.promptBuilder = promptBuilder
        self.verifier = verifier
    }

    public func generate(question: String, passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted,
                         emit: @Sendable (AnswerEvent) -> Void) async throws -> Answer {
        let prompt = promptBuilder.build(question: question, passages: passages)
        let citations = prompt.sources.map { $0.passage.citation($0.n) }
        emit(.citations(citations))
        var text = ""
        var end: ChatCompletionEnd?
        for try await event in client.stream(prompt.messages) {
            switch event {
            case .delta(let d):
                text += d
                emit(.delta(d))
            case .end(let e):
                end = e
            }
        }
        try Task.checkCancellation()
        let incomplete = (end?.incomplete ?? true) || end?.finishReason == "length"
        return Self.answer(question: question, text: text, prompt: prompt, citations: citations, incomplete: incomplete,
                           model: model, verifier: verifier)
    }

    /// The verified answer for the model's text (pure; shared with tests).
    static func answer(question: String, text: String, prompt: PromptBuilder.Prompt, citations: [Citation], incomplete: Bool,
                       model: String, verifier: CitationVerifier) -> Answer {
        let sources = prompt.sources.map { s in
            CitationVerifier.Source(n: s.n, text: s.passage.title + "\n" + s.passage.chunk.section + "\n" + s.text)
        }
        let verified = verifier.verify(text, sources: sources)
        let declined = CitationVerifier.isRefusal(text)
        let used = declined ? [] : citations.filter { verified.citedNumbers.contains($0.n) }
        return Answer(question: question, answer: verified.text, sentences: verified.sentences, refused: false,
                      incomplete: incomplete, citations: used, removedCitations: verified.removedCitations, model: model)
    }
}
