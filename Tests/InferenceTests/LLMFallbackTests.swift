import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// When the model's own text supports nothing although retrieval evidence was strong (the
/// pipeline only calls the generator then), the answer quotes the verified passages instead
/// of refusing: what SmolLM2-135M did on "adult dose of IM adrenaline" (it wrote "500 to 1000
/// micrograms per kilogram", which no source says).
@Suite("LLM answers that support nothing fall back to quoting the sources")
struct LLMFallbackTests {
    static let passages = [
        GenerationTests.passage(
            31, "anaphylaxis", "Anaphylaxis",
            "Intramuscular adrenaline is the first-line treatment of anaphylaxis. The IM adrenaline dose is 500 micrograms (0.5 mL of 1 mg/mL) for adults and children over 12 years. Repeat the IM adrenaline dose after 5 minutes if there is no improvement."
        ),
        GenerationTests.passage(
            12, "sepsis", "Sepsis", "Noradrenaline is the first-line vasopressor, targeting a mean arterial pressure of 65 mmHg."),
    ]

    /// Question weights as the pipeline computes them (uniform here: every term counts).
    static func evidence(_ question: String) -> EvidenceScorer.Weighted {
        let terms = FTSQuery.terms(question).map { (stem: Stemmer.stem($0), weight: 1.0) }
        return EvidenceScorer.Weighted(terms: terms, total: Double(terms.count))
    }

    static let question = "What is the adult dose of IM adrenaline in anaphylaxis?"

    func generator(
        _ text: String, finish: String? = "stop", end: ScriptedTransport.End = .finish, fallback: ExtractiveGenerator? = ExtractiveGenerator()
    ) -> LLMGenerator {
        var pieces = [ChatFixtures.chunk(text)]
        if let finish { pieces += [ChatFixtures.chunk(nil, finish: finish), ChatFixtures.done] }
        let script = pieces
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream(script, end: end) }
        return LLMGenerator(client: OpenAIChatClient(baseURL: "http://llm/v1", model: "smol", transport: t), fallback: fallback)
    }

    /// Every cited sentence of `a` is quoted from the passage its citation points at.
    func expectQuotedFromCitedPassages(_ a: Answer) throws {
        #expect(!a.sentences.isEmpty)
        for s in a.sentences {
            #expect(!s.unsupported)
            let n = try #require(s.citations.first)
            let c = try #require(a.citations.first { $0.n == n })
            let passage = try #require(Self.passages.first { $0.chunk.id == c.chunkID })
            let body = s.text.replacingOccurrences(of: " [\(n)]", with: "")
            #expect(passage.chunk.text.contains(body.dropLast()), "\(body) is quoted from [\(n)]")
        }
    }

    @Test func aWrongDoseIsReplacedByTheQuotedSource() async throws {
        let g = generator("The adult dose of IM adrenaline in anaphylaxis is 500 to 1000 micrograms per kilogram of body weight.")
        let events = Locked<[AnswerEvent]>([])
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { e in
            events.withLock { $0.append(e) }
        }
        #expect(!a.refused && !a.incomplete)
        #expect(a.model == LLMGenerator.fallbackModel("smol"))
        #expect(LLMGenerator.isFallback(a))
        #expect(a.answer.contains("500 micrograms (0.5 mL of 1 mg/mL)"))
        #expect(!a.answer.contains("1000 micrograms"))
        #expect(a.citations.map(\.chunkID) == [31])
        try expectQuotedFromCitedPassages(a)
        // None of the model's text was sent: its answering sentence failed the check (the
        // pipeline sends the quoted answer's text before `done`).
        #expect(events.current.map(\.name) == ["citations"])
    }

    @Test func aDeclineDespiteStrongEvidenceQuotesTheSources() async throws {
        let g = generator(PromptBuilder.refusalSentence)
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(LLMGenerator.isFallback(a))
        #expect(a.citations.first?.sourceID == "anaphylaxis")
        try expectQuotedFromCitedPassages(a)
    }

    @Test func removedCitationsOfTheModelAreStillReported() async throws {
        let g = generator("The dose is 1000 micrograms per kilogram [7].")
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(LLMGenerator.isFallback(a))
        #expect(a.removedCitations == [7])
    }

    @Test func aSupportedAnswerIsKept() async throws {
        let g = generator("The IM adrenaline dose is 500 micrograms for adults. Give it in the thigh.")
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(a.model == "smol")
        #expect(!LLMGenerator.isFallback(a))
        #expect(a.sentences.map(\.citations) == [[1], []])
        #expect(a.sentences.map(\.unsupported) == [false, true])
    }

    /// What SmolLM2 wrote on the demo corpus: a lead-in, a wrong dose as the answer, then a
    /// made-up line cited to a source. The answering sentence is unsupported, so the sources
    /// are quoted even though a later sentence is backed; the wrong dose is listed as removed.
    @Test func anUnsupportedAnsweringSentenceQuotesTheSources() async throws {
        let g = generator(
            "The sources are [1]:\nThe answer is: 500 to 1000 micrograms (0.5 mL) [1].\nIM adrenaline 500 micrograms is given for adults [1].")
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(LLMGenerator.isFallback(a))
        #expect(!a.answer.contains("1000"))
        #expect(a.removedSentences.map(\.text) == ["The answer is: 500 to 1000 micrograms (0.5 mL)."])
        try expectQuotedFromCitedPassages(a)
    }

    @Test func aBackedAnsweringSentenceIsKeptWithLaterOnesChecked() async throws {
        let g = generator("The IM adrenaline dose is 500 micrograms for adults [1]. Vasopressin 200 mg/kg/min is also given [1].")
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(!LLMGenerator.isFallback(a))
        #expect(a.answer == "The IM adrenaline dose is 500 micrograms for adults [1].")
        #expect(a.removedSentences.count == 1 && a.removedSentences[0].text.hasPrefix("Vasopressin"))
    }

    @Test func anIncompleteAnswerIsNeverReplaced() async throws {
        let g = generator("The dose is 1000 micrograms per kilogram and then", finish: nil, end: .fail(TransportError.connection("reset")))
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(a.incomplete)
        #expect(a.model == "smol")
        #expect(a.citations.isEmpty)
        // The wrong dose is not shown as part of the answer, even in a cut one: it is listed as removed.
        #expect(a.sentences.allSatisfy { $0.unsupported })
        #expect(!a.answer.contains("1000 micrograms"))
        #expect(a.removedSentences.map(\.text) == ["The dose is 1000 micrograms per kilogram and then"])
    }

    /// SmolLM2 often rambles to its token limit (finish_reason "length") without one supported
    /// sentence: that is not a cut stream, so the sources are quoted instead.
    @Test func anAnswerStoppedAtTheTokenLimitThatSupportsNothingQuotesTheSources() async throws {
        let g = generator("The dose is 1000 micrograms per kilogram and then the dose is", finish: "length")
        let a = try await g.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(LLMGenerator.isFallback(a))
        #expect(!a.incomplete)
        #expect(a.citations.contains { $0.sourceID == "anaphylaxis" })
        try expectQuotedFromCitedPassages(a)
    }

    @Test func withoutFallbackOrWithoutCoveringSentencesNothingIsCited() async throws {
        let off = generator("The dose is 1000 micrograms per kilogram.", fallback: nil)
        let a = try await off.generate(question: Self.question, passages: Self.passages, evidence: Self.evidence(Self.question)) { _ in }
        #expect(a.citations.isEmpty && a.model == "smol")
        // No sentence of the passages shares a term with the question: no fallback, so the pipeline refuses.
        let q = "Who won the football world cup?"
        let b = try await generator("Brazil won it.").generate(question: q, passages: Self.passages, evidence: Self.evidence(q)) { _ in }
        #expect(b.citations.isEmpty && b.model == "smol")
    }

    /// Through the pipeline: the same strong-evidence question is answered, not refused.
    @Test func thePipelineAnswersInsteadOfRefusing() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try bed.write("notes/asthma.md", TestBed.asthmaNote)
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        let llm = generator("Give 2 litres of fluid per kilogram of weight.")
        let answer = try await Pipeline(database: bed.db, generator: llm).complete(
            QueryRequest(question: "What is the first-line fluid bolus in septic shock?"))
        #expect(!answer.refused)
        #expect(answer.model == LLMGenerator.fallbackModel("smol"))
        #expect(answer.answer.contains("30 mL/kg"))
        #expect(!answer.answer.contains("2 litres"))
        for c in answer.citations {
            let doc = try #require(try await bed.db.document(id: c.sourceID))
            #expect(doc.text.utf8Slice(c.start, c.end) == c.text)
        }
        // Weak evidence is still refused without calling the model.
        let refused = try await Pipeline(database: bed.db, generator: llm).complete(QueryRequest(question: "Who won the 1998 World Cup?"))
        #expect(refused.refused)
    }
}
