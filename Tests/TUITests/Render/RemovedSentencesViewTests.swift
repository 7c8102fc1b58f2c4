import Core
import Testing

@testable import TUI

/// The answer view lists sentences the checker removed apart from the answer, with the reason.
@Suite("Answer view: removed sentences")
struct RemovedSentencesViewTests {
    @Test func removedSentencesAreListedAfterTheAnswer() {
        var a = Fixtures.answer()
        a.removedSentences = [RemovedSentence(text: "The dose is 1000 micrograms.", reason: "[1] does not state 1000 micrograms")]
        let text = AnswerContent.build(Fixtures.answered(a, width: 120, height: 30)).string
        let removed = text.range(of: "Removed: states a quantity no source backs")
        #expect(removed != nil)
        #expect(text.contains("- The dose is 1000 micrograms. ([1] does not state 1000 micrograms)"))
        // Listed after the answer text, not inside it.
        if let removed, let answer = text.range(of: a.sentences.first?.text ?? a.answer) { #expect(answer.upperBound <= removed.lowerBound) }
        #expect(!AnswerContent.build(Fixtures.answered(width: 120, height: 30)).string.contains("Removed:"))
    }
}
