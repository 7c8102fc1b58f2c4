import Core
import Testing

@testable import TUI

/// A citation from a RAG service (serve --inference grpc://) whose document is not in the
/// gateway's index has chunk id 0 and carries its text: the viewer opens that text itself.
@Suite struct RemoteCitationSourceTests {
    @Test func citationWithoutLocalPassageOpensItsOwnText() throws {
        let text = "Give 500 micrograms of IM adrenaline and repeat after 5 minutes."
        let answer = Answer(
            question: "adrenaline dose?", answer: "Give adrenaline [1].",
            sentences: [AnswerSentence(text: "Give adrenaline [1].", citations: [1])],
            citations: [
                Citation(
                    n: 1, sourceID: "external-guideline", chunkID: 0, title: "External guideline", section: "",
                    score: 0.8, text: text, start: 0, end: 0)
            ],
            model: "rag.RAGService", retriever: "grpc://127.0.0.1:50051")
        let (s, effects) = update(Fixtures.answered(answer), .key(.character("1")))
        #expect(effects.isEmpty, "no request to the gateway for a passage it does not have")
        #expect(s.screen == .source)
        let v = try #require(s.source)
        #expect(v.document.documentText == text)
        #expect(v.document.title == "External guideline")
        #expect(v.highlight == 0..<text.utf8.count)
        #expect(s.pendingSource == nil)
    }
}
