import Testing
@testable import TUI

@Suite struct BenchmarkTests {
    @Test func renderCachedAnswerReturnsAPositiveMeanAndRendersTheAnswer() {
        #expect(TUIBenchmark.renderCachedAnswer(iterations: 3) > 0)
        // The benchmark measures a real frame: the sample answer, complete, at 120x40.
        var (s, _) = Update.start(info: Fixtures.info, size: TerminalSize(width: 120, height: 40))
        let answer = TUIBenchmark.sampleAnswer()
        s.question.setText(answer.question)
        s = update(update(s, .key(.enter)).0, .done(answer)).0
        let text = RootView.render(s).text
        #expect(text.contains("30 mL/kg"))
        #expect(text.contains("(unsupported)"))
    }
}
