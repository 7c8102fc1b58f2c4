import Core
import Foundation
import Testing

@testable import Inference

@Suite("Prompt building and the LLM generator")
struct GenerationTests {
    static func passage(_ id: Int64, _ doc: String, _ title: String, _ text: String) -> RetrievedPassage {
        RetrievedPassage(
            chunk: Chunk(id: id, documentID: doc, ordinal: 0, sectionPath: ["Management"], text: text, start: 0, end: text.utf8.count),
            title: title, score: 1)
    }

    static let passages = [
        passage(11, "sepsis", "Sepsis", "In septic shock, give at least 30 mL/kg of intravenous crystalloid within the first 3 hours."),
        passage(12, "sepsis", "Sepsis", "Noradrenaline is the first-line vasopressor, targeting a mean arterial pressure of 65 mmHg."),
        passage(20, "asthma", "Acute asthma", "Give salbutamol 5 mg by oxygen-driven nebuliser, repeated every 15 to 30 minutes."),
    ]

    @Test func promptNumbersSourcesAndAsksForCitations() {
        let p = PromptBuilder().build(question: "What fluid in septic shock?", passages: Self.passages)
        #expect(p.sources.map(\.n) == [1, 2, 3])
        #expect(p.messages.count == 2)
        #expect(p.messages[0].role == "system" && p.messages[0].content.contains("[1]"))
        #expect(p.messages[0].content.contains(PromptBuilder.refusalSentence))
        let user = p.messages[1].content
        #expect(user.hasSuffix(PromptBuilder.defaultAnswerInstruction))
        #expect(user.contains("[1] Sepsis — Management\nIn septic shock"))
        #expect(user.contains("[3] Acute asthma — Management"))
        #expect(user.contains("Question: What fluid in septic shock?"))
        #expect(p.estimatedTokens <= 2_500)
    }

    @Test func promptStaysWithinItsBudget() {
        let long = String(repeating: "Sepsis needs early antibiotics and fluids. ", count: 200) // ~8.6 KB each
        let many = (0..<5).map { Self.passage(Int64($0), "d\($0)", "T\($0)", long) }
        let b = PromptBuilder(maxPromptTokens: 2_500)
        let p = b.build(question: "q", passages: many)
        let total = p.messages.map { b.estimateTokens($0.content) }.reduce(0, +)
        #expect(total <= 2_500)
        #expect(p.sources.count == 1) // one source cut at a sentence end; no room for more
        #expect(p.sources[0].truncated)
        #expect(p.sources[0].text.hasSuffix("fluids."))
    }

    func generator(_ pieces: [String], end: ScriptedTransport.End = .finish) -> LLMGenerator {
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream(pieces, end: end) }
        return LLMGenerator(client: OpenAIChatClient(baseURL: "http://llm/v1", model: "smol", transport: t))
    }

    static let noEvidence = EvidenceScorer.Weighted(terms: [], total: 0)

    @Test func verifiesTheStreamedAnswer() async throws {
        let g = generator([
            ChatFixtures.chunk("Give at least 30 mL/kg of intravenous crystalloid within 3 hours [1][5]. "),
            ChatFixtures.chunk("Noradrenaline is the first-line vasopressor. "),
            ChatFixtures.chunk("Dopamine is better than everything."),
            ChatFixtures.chunk(nil, finish: "stop"), ChatFixtures.done,
        ])
        let events = Locked<[AnswerEvent]>([])
        let a = try await g.generate(question: "q", passages: Self.passages, evidence: Self.noEvidence) { e in events.withLock { $0.append(e) } }
        #expect(a.model == "smol")
        #expect(!a.incomplete && !a.refused)
        #expect(a.removedCitations == [5])
        #expect(a.sentences.map(\.citations) == [[1], [2], []])
        #expect(a.sentences.map(\.unsupported) == [false, false, true])
        #expect(a.citations.map(\.n) == [1, 2]) // only what the text cites
        #expect(a.citations.map(\.chunkID) == [11, 12])
        #expect(a.answer.contains("within 3 hours [1]. Noradrenaline is the first-line vasopressor [2]. Dopamine"))
        let names = events.current.map(\.name)
        #expect(names.first == "citations")
        if case .citations(let c)? = events.current.first { #expect(c.count == 3) }
        // Checked sentences only, each once the next began; the last is the pipeline's to send.
        let deltas = events.current.compactMap { if case .delta(let d) = $0 { d } else { nil } }
        #expect(
            deltas == ["Give at least 30 mL/kg of intravenous crystalloid within 3 hours [1].", " Noradrenaline is the first-line vasopressor [2]."])
        #expect(a.answer.hasPrefix(deltas.joined()))
    }

    @Test func aCutStreamGivesAnIncompleteVerifiedAnswer() async throws {
        let g = generator(
            [ChatFixtures.chunk("Give salbutamol 5 mg by nebuliser every 15 minutes. Then"), ChatFixtures.chunk(" give")],
            end: .fail(TransportError.connection("connection reset by peer")))
        let a = try await g.generate(question: "q", passages: Self.passages, evidence: Self.noEvidence) { _ in }
        #expect(a.incomplete)
        #expect(a.sentences.first?.citations == [3])
        #expect(a.answer.hasPrefix("Give salbutamol 5 mg by nebuliser every 15 minutes [3]."))
    }

    @Test func aDeclineHasNoCitationsSoThePipelineRefuses() async throws {
        let g = generator([
            ChatFixtures.chunk("The sources do not answer this question."), ChatFixtures.chunk(nil, finish: "stop"), ChatFixtures.done,
        ])
        let a = try await g.generate(question: "q", passages: Self.passages, evidence: Self.noEvidence) { _ in }
        #expect(a.citations.isEmpty)
        #expect(!a.incomplete)
    }

    @Test func anUnreachableModelThrows() async throws {
        let t = ScriptedTransport { _, _ in throw TransportError.connection("refused") }
        let g = LLMGenerator(client: OpenAIChatClient(baseURL: "http://llm/v1", model: "smol", transport: t))
        await #expect { try await g.generate(question: "q", passages: Self.passages, evidence: Self.noEvidence) { _ in } } throws: {
            ($0 as? BedsideError)?.code == .inferenceUnavailable
        }
    }
}
