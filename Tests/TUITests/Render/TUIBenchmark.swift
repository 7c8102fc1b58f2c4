import Core
import Foundation

@testable import TUI

/// Measures the pure path from a finished answer to a complete frame, with no terminal:
/// `update(.done(answer))` plus a full render at 120x40. It is the app's share of
/// Enter-to-screen for a cached answer (the rest is the gateway round trip and curses output).
enum TUIBenchmark {
    /// Mean microseconds per `update(.done)` + render, over `iterations` runs.
    static func renderCachedAnswer(iterations: Int) -> Double {
        let answer = sampleAnswer()
        var (state, _) = Update.start(
            info: StatusInfo(
                gateway: "127.0.0.1:8787", model: "extractive", indexName: "demo",
                indexVersion: 3, screenReader: false),
            size: TerminalSize(width: 120, height: 40))
        state.connectivity = .online
        state.question.setText(answer.question)
        state = update(state, .key(.enter)).0
        let clock = ContinuousClock()
        var checksum = 0
        let n = max(1, iterations)
        let elapsed = clock.measure {
            for _ in 0..<n {
                let (done, _) = update(state, .done(answer))
                let frame = RootView.render(done)
                checksum &+= frame.cells.count
            }
        }
        precondition(checksum > 0)
        let c = elapsed.components
        let micros = Double(c.seconds) * 1e6 + Double(c.attoseconds) / 1e12
        return micros / Double(n)
    }

    /// A cached answer shaped like the extractive generator's: four cited sentences (one
    /// unsupported), five citations with sections and scores.
    static func sampleAnswer() -> Answer {
        let sentences = [
            AnswerSentence(
                text:
                    "In adults with sepsis-induced hypoperfusion, give at least 30 mL/kg of intravenous crystalloid fluid within the first 3 hours [1].",
                citations: [1]),
            AnswerSentence(text: "Balanced crystalloids are suggested over normal saline for resuscitation [2].", citations: [2]),
            AnswerSentence(
                text: "Reassess haemodynamic status frequently, using dynamic measures of fluid responsiveness where available [1][3].",
                citations: [1, 3]),
            AnswerSentence(
                text: "Albumin may be considered in patients who received large volumes of crystalloids.", citations: [], unsupported: true),
        ]
        let titles = [
            "Surviving Sepsis Campaign 2021", "Balanced crystalloids versus saline", "Fluid responsiveness in shock",
            "Vasopressor timing", "Lactate-guided resuscitation",
        ]
        let citations = titles.enumerated().map { i, title in
            Citation(
                n: i + 1, sourceID: "doc-\(i + 1)", chunkID: Int64(100 + i), title: title,
                section: "Initial resuscitation › Fluids", score: 12.5 - Double(i), text: sentences[min(i, 3)].text,
                start: 0, end: 120)
        }
        return Answer(
            answerID: "bench-1", question: "How much fluid should I give in septic shock?",
            answer: sentences.map(\.text).joined(separator: " "), sentences: sentences, cached: true,
            citations: citations, indexVersion: 3, model: "extractive", retriever: "bm25", latencyMS: 2)
    }
}
