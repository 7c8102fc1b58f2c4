import Foundation
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

/// The timing marks `bench/tui.sh` reads.
@Suite struct TraceTests {
    @MainActor @Test func traceRecordsFirstFrameReadinessAndEnterToScreen() throws {
        let path = NSTemporaryDirectory() + "bedside-trace-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(TUITrace(path: nil) == nil)
        let trace = try #require(TUITrace(path: path))
        var s = Fixtures.state()
        trace.drew(s) // first frame, status not known yet
        s.connectivity = .online
        trace.drew(s) // ready
        trace.asked(inputAt: .now)
        s.question.setText("What is sepsis?")
        s = update(s, .key(.enter)).0
        trace.received()
        trace.drew(s) // streaming: not the answer yet
        var answer = Fixtures.answer()
        answer.cached = true
        s = update(s, .done(answer)).0
        trace.drew(s) // the complete answer
        trace.drew(s) // a later redraw is not another measurement
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.map { $0["event"] as? String } == ["first_frame", "ready", "answer_drawn"])
        #expect(lines[1]["online"] as? Bool == true)
        let drawn = lines[2]
        #expect(drawn["cached"] as? Bool == true && drawn["complete"] as? Bool == true)
        #expect(drawn["frames"] as? Int == 2)
        let ms = try #require(drawn["ms"] as? Double)
        let first = try #require(drawn["first_event_ms"] as? Double)
        #expect(ms > 0 && first >= 0 && first <= ms)
    }
}
