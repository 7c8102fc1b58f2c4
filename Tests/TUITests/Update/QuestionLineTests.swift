import Core
import Testing

@testable import TUI

@Suite struct QuestionLineTests {
    @Test func startupFocusesTheQuestionLineAndChecksTheGateway() {
        let (s, effects) = Update.start(info: Fixtures.info, size: TerminalSize(width: 80, height: 24))
        #expect(s.focus == .question)
        #expect(effects.contains(.checkReady))
        #expect(effects.contains(.loadHistory(query: nil, limit: Update.historyLimit, purpose: .recall)))
    }

    @Test func typingGoesIntoTheQuestionEvenForCommandLetters() {
        let s = Fixtures.type("q? h/ 発熱", into: Fixtures.state())
        #expect(s.question.text == "q? h/ 発熱")
        #expect(s.quitting == false)
        #expect(s.overlay == nil)
        #expect(s.screen == .main)
    }

    @Test func editingKeys() {
        var s = Fixtures.type("fluids in sepsis", into: Fixtures.state())
        (s, _) = Fixtures.press([.control("a"), .character(">"), .control("e"), .character("?")], s)
        #expect(s.question.text == ">fluids in sepsis?")
        (s, _) = Fixtures.press([.control("w")], s)
        #expect(s.question.text == ">fluids in ")
        (s, _) = Fixtures.press([.left, .left, .left, .control("k")], s)
        #expect(s.question.text == ">fluids ")
        (s, _) = Fixtures.press([.home, .delete, .end, .backspace], s)
        #expect(s.question.text == "fluids")
        (s, _) = Fixtures.press([.left, .control("u")], s)
        #expect(s.question.text == "s")
    }

    @Test func enterSubmitsTheTrimmedQuestionAndStartsStreaming() {
        let s0 = Fixtures.type("  How much fluid?  ", into: Fixtures.state())
        let (s, effects) = update(s0, .key(.enter))
        #expect(effects == [.query(QueryRequest(question: "How much fluid?"), noCache: false)])
        #expect(s.phase == .streaming(StreamingAnswer(question: "How much fluid?")))
        #expect(s.focus == .answer)
        #expect(s.recall.questions.first == "How much fluid?")
    }

    @Test func emptyQuestionIsNotSent() {
        let (s, effects) = update(Fixtures.type("   ", into: Fixtures.state()), .key(.enter))
        #expect(effects.isEmpty)
        #expect(s.message?.text == "Type a question first.")
        #expect(s.phase == .empty)
    }

    @Test func tooLongQuestionIsRefusedLocally() {
        let long = String(repeating: "a", count: QueryRequest.maxQuestionLength + 1)
        var s = Fixtures.state()
        s.question.setText(long)
        let (after, effects) = update(s, .key(.enter))
        #expect(effects.isEmpty)
        #expect(after.message?.isError == true)
    }

    @Test func upAndDownWalkThroughPastQuestions() {
        var s = Fixtures.state()
        s = update(s, .historyLoaded(Fixtures.history(["older one", "oldest one"]), .recall)).0
        s = Fixtures.type("new draft", into: s)
        (s, _) = Fixtures.press([.up], s)
        #expect(s.question.text == "older one")
        (s, _) = Fixtures.press([.up], s)
        #expect(s.question.text == "oldest one")
        (s, _) = Fixtures.press([.up], s)
        #expect(s.question.text == "oldest one")
        (s, _) = Fixtures.press([.down, .down], s)
        #expect(s.question.text == "new draft")
    }

    @Test func escapeLeavesTheLineAndIFocusesItAgain() {
        var s = Fixtures.state()
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.focus == .answer)
        (s, _) = Fixtures.press([.character("i")], s)
        #expect(s.focus == .question)
        (s, _) = Fixtures.press([.escape, .character(":")], s)
        #expect(s.focus == .question)
        (s, _) = Fixtures.press([.escape, .enter], s)
        #expect(s.focus == .question)
    }

    @Test func tabCyclesThePanes() {
        var s = Fixtures.state()
        var seen: [Pane] = []
        for _ in 0..<3 {
            (s, _) = Fixtures.press([.tab], s)
            seen.append(s.focus)
        }
        #expect(seen == [.answer, .citations, .question])
        (s, _) = Fixtures.press([.backTab], s)
        #expect(s.focus == .citations)
    }
}
