import Core
import Testing

@testable import TUI

/// The streaming pane shows what the gateway streams, which is checked sentences only (issue
/// 19, finding 2): the events below are those `POST /v1/query` sends for a model that wrote
/// "Give 5 g of adrenaline IV push immediately [1]." between two supported sentences. No frame
/// shows that sentence or claims the text is unchecked, and each frame's text is the start of
/// the answer that replaces it.
@Suite struct CheckedStreamPaneTests {
    @Test func theStreamingPaneShowsOnlyCheckedSentencesAsTheyArrive() {
        let first = "In septic shock, give at least 30 mL/kg of intravenous crystalloid within the first 3 hours [1]."
        let second = " Reassess the patient after each bolus [1]."
        let third = " Balanced crystalloids are preferred over saline [1]."
        var answer = Fixtures.answer()
        answer.answer = first + second + third
        answer.sentences = [first, second, third].map { AnswerSentence(text: $0.trimmingCharacters(in: .whitespaces), citations: [1]) }
        answer.removedSentences = [RemovedSentence(text: "Give 5 g of adrenaline IV push immediately.", reason: "[1] does not state 5 g")]
        answer.citations = [Fixtures.citation(1)]
        var s = update(Fixtures.type(answer.question, into: Fixtures.state(width: 120, height: 30)), .key(.enter)).0
        for event in [Event.citations(answer.citations), .delta(first), .delta(second), .delta(third)] {
            s = update(s, event).0
            let frame = RootView.render(s).text
            #expect(!frame.contains("adrenaline") && !frame.contains("not yet checked"))
            guard case .streaming(let st) = s.phase else {
                Issue.record("not streaming")
                return
            }
            #expect(answer.answer.hasPrefix(st.text))
            if !st.text.isEmpty { #expect(frame.contains(AnswerContent.streamingLabel)) }
        }
        s = update(s, .done(answer)).0
        #expect(s.phase == .answered(answer, origin: .live))
        #expect(!RootView.render(s).text.contains(AnswerContent.streamingLabel))
    }
}
