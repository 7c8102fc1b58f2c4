import Core
import Testing

@testable import TUI

/// Several citations from a RAG service whose documents are not in the gateway's index, each
/// shaped as the gateway now sends them (chunk id 0, a source id of its own, offsets and spans
/// into its own text): `n`/`N` step through their supporting sentences and from one to the next
/// as separate documents, without asking the gateway.
@Suite struct RemoteCitationSteppingTests {
    static let first = "The first-line fluid bolus in septic shock is 30 mL/kg of intravenous crystalloid. Reassess after each bolus."
    static let second = "Noradrenaline is the first-line vasopressor in septic shock. The initial target is a MAP of 65 mmHg."

    /// The byte range of `sentence` in `text`.
    static func range(of sentence: String, in text: String) throws -> Range<Int> {
        let r = try #require(text.range(of: sentence))
        let start = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
        return start..<(start + sentence.utf8.count)
    }

    static func answer() throws -> Answer {
        let c1 = Citation(
            n: 1, sourceID: "sepsis#0a1b2c3d4e5f", chunkID: 0, title: "sepsis", section: "", score: 1, text: first, start: 0,
            end: first.utf8.count)
        let c2 = Citation(
            n: 2, sourceID: "sepsis#9f8e7d6c5b4a", chunkID: 0, title: "sepsis", section: "", score: 0.7, text: second, start: 0,
            end: second.utf8.count)
        let s1 = try range(of: "The first-line fluid bolus in septic shock is 30 mL/kg of intravenous crystalloid.", in: first)
        let s2 = try range(of: "Noradrenaline is the first-line vasopressor in septic shock.", in: second)
        let sentences = [
            AnswerSentence(
                text: "Give 30 mL/kg of crystalloid [1].", citations: [1],
                spans: [SourceSpan(citation: 1, documentID: c1.sourceID, start: s1.lowerBound, end: s1.upperBound)]),
            AnswerSentence(
                text: "Noradrenaline is the first-line vasopressor [2].", citations: [2],
                spans: [SourceSpan(citation: 2, documentID: c2.sourceID, start: s2.lowerBound, end: s2.upperBound)]),
        ]
        return Answer(
            question: "septic shock?", answer: sentences.map(\.text).joined(separator: " "), sentences: sentences, citations: [c1, c2],
            model: "rag.RAGService", retriever: "grpc://127.0.0.1:50051")
    }

    @Test func nAndNStepBetweenTextOnlyCitationsAsSeparateDocuments() throws {
        let firstSupport = try Self.range(of: "The first-line fluid bolus in septic shock is 30 mL/kg of intravenous crystalloid.", in: Self.first)
        let secondSupport = try Self.range(of: "Noradrenaline is the first-line vasopressor in septic shock.", in: Self.second)
        var s = Fixtures.answered(try Self.answer())
        var effects: [Effect]
        (s, effects) = update(s, .key(.character("1")))
        #expect(effects.isEmpty)
        #expect(s.source?.document.documentText == Self.first)
        #expect(s.source?.supporting == [firstSupport])
        // n: past [1]'s one supporting sentence, on to [2], its own text, opened without the gateway.
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects.isEmpty)
        #expect(s.screen == .source)
        #expect(s.source?.citationNumber == 2)
        #expect(s.source?.document.documentText == Self.second)
        #expect(s.source?.highlight == 0..<Self.second.utf8.count)
        #expect(s.source?.supporting == [secondSupport])
        // N: back to [1] and its text.
        (s, effects) = update(s, .key(.character("N")))
        #expect(effects.isEmpty)
        #expect(s.source?.citationNumber == 1)
        #expect(s.source?.document.documentText == Self.first)
    }
}
