import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// Nothing unchecked on the wire (issue 19, finding 2): a model's words reach the stream only
/// sentence by sentence, after the citation verifier has passed each, and the `delta`s always
/// concatenate to the `done` answer, whether the model's text is kept, trimmed, replaced by
/// the quoted sources or refused.
@Suite("Streamed answers carry only checked sentences")
struct CheckedStreamingTests {
    static let question = "What is the first-line fluid bolus in septic shock?"
    static let unsupported = "Give 5 g of adrenaline IV push immediately [1]."
    static let supported =
        "In septic shock, give at least 30 mL/kg of intravenous crystalloid as the first-line fluid bolus within the first 3 hours."

    /// The model's text as a chat stream, a few characters per chunk, as a server streams tokens.
    static func llm(_ text: String, fallback: ExtractiveGenerator? = ExtractiveGenerator()) -> LLMGenerator {
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(ChatFixtures.chunk(String(rest.prefix(7))))
            rest = rest.dropFirst(7)
        }
        let script = pieces + [ChatFixtures.chunk(nil, finish: "stop"), ChatFixtures.done]
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream(script) }
        return LLMGenerator(client: OpenAIChatClient(baseURL: "http://llm/v1", model: "smol", transport: t), fallback: fallback)
    }

    /// The events of one question through a pipeline over the sepsis note.
    static func ask(_ generator: LLMGenerator) async throws -> (deltas: [String], answer: Answer) {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        var deltas: [String] = []
        var done: Answer?
        for try await e in Pipeline(database: bed.db, generator: generator).answer(QueryRequest(question: question)) {
            if case .delta(let d) = e { deltas.append(d) }
            if case .done(let a) = e { done = a }
        }
        return (deltas, try #require(done))
    }

    @Test func anUnsupportedDoseAmongSupportedSentencesNeverReachesTheStream() async throws {
        let text = "\(Self.supported) \(Self.unsupported) Reassess the patient after each bolus. Balanced crystalloids are preferred over saline."
        let (deltas, answer) = try await Self.ask(Self.llm(text))
        #expect(answer.model == "smol" && !answer.refused)
        #expect(answer.answer.contains("30 mL/kg") && answer.answer.contains("Balanced crystalloids"))
        #expect(answer.removedSentences.map(\.text) == [String(Self.unsupported.dropLast(5)) + "."])
        for d in deltas { #expect(!d.contains("adrenaline") && !d.contains("5 g"), "delta: \(d)") }
        #expect(deltas.joined() == answer.answer)
        // Sentence by sentence: the first checked sentence went out while the model still wrote.
        #expect(deltas.count >= 3, "deltas: \(deltas)")
        #expect(deltas.first?.contains("30 mL/kg") == true && deltas.first?.contains("Reassess") == false)
    }

    @Test func anAnswerThatFallsBackSentNoneOfTheModelsWords() async throws {
        let text = "\(Self.unsupported) Then give 10 mg of morphine every 2 minutes. \(Self.supported)"
        let (deltas, answer) = try await Self.ask(Self.llm(text))
        #expect(LLMGenerator.isFallback(answer))
        for d in deltas { #expect(!d.contains("adrenaline") && !d.contains("morphine"), "delta: \(d)") }
        #expect(deltas.joined() == answer.answer)
    }

    @Test func anAnswerThatIsRefusedAfterCheckingSentOnlyTheRefusal() async throws {
        let text = "\(Self.unsupported) Then give 10 mg of morphine every 2 minutes."
        let (deltas, answer) = try await Self.ask(Self.llm(text, fallback: nil))
        #expect(answer.refused)
        #expect(deltas == [Pipeline.refusalText])
        #expect(deltas.joined() == answer.answer)
    }

    @Test func aSentenceOnceSentIsKeptWhenTheModelDeclinesLater() async throws {
        // Read whole, the text is the model declining (the answer would fall back); its first
        // sentence was checked and sent by then, so the answer is that sentence.
        let text = "\(Self.supported) The sources do not say more."
        let (deltas, answer) = try await Self.ask(Self.llm(text))
        #expect(!LLMGenerator.isFallback(answer) && !answer.refused)
        #expect(answer.answer.hasPrefix("In septic shock") && !answer.answer.contains("do not"))
        #expect(!answer.citations.isEmpty)
        #expect(deltas.joined() == answer.answer)
    }

    @Test func aSentenceMarkedUnsupportedWaitsForTheFinalPart() async throws {
        // Kept (it states no quantity) but backed by no source: it may go out only in the last
        // delta, right before the `done` that carries its mark, never as if it were checked.
        let doubt = "Many clinicians also recommend prayer and homeopathy."
        let text = "\(Self.supported) \(doubt) Reassess the patient after each bolus. Balanced crystalloids are preferred over saline."
        let (deltas, answer) = try await Self.ask(Self.llm(text))
        #expect(!LLMGenerator.isFallback(answer) && !answer.refused)
        let marked = answer.sentences.filter(\.unsupported).map(\.text)
        #expect(marked.contains { $0.contains("homeopathy") }, "sentences: \(answer.sentences)")
        #expect(deltas.dropLast().allSatisfy { !$0.contains("homeopathy") }, "deltas: \(deltas)")
        #expect(deltas.first?.contains("30 mL/kg") == true)
        #expect(deltas.joined() == answer.answer)
    }

    @Test func aSentenceWaitsForTheMarkersThatCloseIt() {
        // "[2]" opening the next sentence belongs to this one: not settled until a letter follows.
        let b = Array("Give fluids. [2".utf8)
        #expect(SentenceGate.settledEnd(b) == nil)
        #expect(SentenceGate.settledEnd(Array("Give fluids. [2] Th".utf8)) == "Give fluids. [2]".utf8.count)
        #expect(SentenceGate.settledEnd(Array("Give fluids. [Source 2".utf8)) == nil)
        #expect(SentenceGate.settledEnd(Array("Give fluids.".utf8)) == nil)
    }
}
