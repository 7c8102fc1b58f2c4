import Core
import Testing

@testable import TUI

@Suite struct StreamingTests {
    func streaming() -> AppState {
        update(Fixtures.type("How much fluid in sepsis?", into: Fixtures.state()), .key(.enter)).0
    }

    @Test func citationsThenDeltasBuildTheStreamingAnswer() {
        var s = streaming()
        s = update(s, .citations([Fixtures.citation(1)])).0
        s = update(s, .delta("Give 30 mL/kg")).0
        s = update(s, .delta(" [1].")).0
        guard case .streaming(let st) = s.phase else {
            Issue.record("not streaming")
            return
        }
        #expect(st.text == "Give 30 mL/kg [1].")
        #expect(st.citations.count == 1)
        #expect(s.phase.citations.count == 1)
    }

    @Test func doneReplacesTheStreamWithTheAnswer() {
        var s = streaming()
        s = update(s, .delta("partial")).0
        let answer = Fixtures.answer()
        let (after, effects) = update(s, .done(answer))
        #expect(effects.isEmpty)
        #expect(after.phase == .answered(answer, origin: .live))
        #expect(after.connectivity == .online)
        #expect(after.answerFollow == false)
        s = after
        #expect(s.phase.answer?.answerID == "a1")
    }

    @Test func staleAnswerMarksTheAppOffline() {
        let s = update(streaming(), .done(Fixtures.answer(cached: true, stale: true))).0
        #expect(s.connectivity.isOffline)
        #expect(StatusBarView.answerBadge(s.phase) == "STALE")
    }

    @Test func eventsWithoutAStreamAreIgnored() {
        let s = Fixtures.state()
        #expect(update(s, .delta("late")).0 == s)
        #expect(update(s, .done(Fixtures.answer())).0 == s)
    }

    @Test func inferenceUnavailableWithoutCacheGoesOfflineAndAsksForHistory() {
        let error = BedsideError(.inferenceUnavailable, "Inference is unavailable.", retryAfter: 5)
        let (s, effects) = update(streaming(), .error(error))
        #expect(s.connectivity.isOffline)
        guard case .offline(let o) = s.phase else {
            Issue.record("not offline")
            return
        }
        #expect(o.suggestions == nil)
        #expect(effects == [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .suggestions(question: "How much fluid in sepsis?"))])
    }

    @Test func offlineSuggestionsAreRankedByWordOverlapAndOpenWithNumbers() {
        var s = update(streaming(), .error(BedsideError(.inferenceUnavailable, "down"))).0
        let entries = Fixtures.history(["Antibiotics timing in sepsis", "How much fluid for sepsis shock?", "Dose of paracetamol"])
        s = update(s, .historyLoaded(entries, .suggestions(question: "How much fluid in sepsis?"))).0
        guard case .offline(let o) = s.phase, let list = o.suggestions else {
            Issue.record("no suggestions")
            return
        }
        #expect(list.map(\.question) == ["How much fluid for sepsis shock?", "Antibiotics timing in sepsis"])
        let (opened, effects) = update(s, .key(.character("1")))
        #expect(effects == [.loadAnswer(id: "h1")])
        #expect(opened.phase == .loading(question: "How much fluid for sepsis shock?"))
        let replay = Fixtures.answer(question: "How much fluid for sepsis shock?", cached: true)
        let shown = update(opened, .answerLoaded(replay, origin: .history)).0
        #expect(shown.phase == .answered(replay, origin: .history))
        #expect(shown.question.text == "How much fluid for sepsis shock?")
    }

    @Test func otherErrorsKeepPartialTextMarkedIncomplete() {
        var s = streaming()
        s = update(s, .delta("Give fluids")).0
        s = update(s, .error(BedsideError(.upstream, "The connection to the gateway was lost."))).0
        guard case .failed(let f) = s.phase else {
            Issue.record("not failed")
            return
        }
        #expect(f.partialText == "Give fluids")
        let text = RootView.render(s).text
        #expect(text.contains("[INCOMPLETE"))
        #expect(text.contains("Error: The connection to the gateway was lost."))
    }

    @Test func unreachableGatewayShowsOffline() {
        let s = update(streaming(), .error(BedsideError(.gatewayUnreachable, "Cannot reach the gateway at x."))).0
        #expect(s.connectivity.isOffline)
        #expect(RootView.render(s).text.contains("OFFLINE"))
    }

    @Test func rateLimitShowsRetryAfter() {
        let s = update(streaming(), .error(BedsideError(.rateLimited, "Too many questions.", retryAfter: 7))).0
        #expect(RootView.render(s).text.contains("Try again in 7 s."))
        #expect(s.connectivity == .unknown)
    }

    @Test func readinessEventsSetConnectivityAndTicksPollAgain() {
        var s = Fixtures.state()
        s = update(s, .online(InferenceStatus(ready: true, indexVersion: 9, model: "smollm2", retriever: "hybrid"))).0
        #expect(s.connectivity == .online)
        #expect(s.info.model == "smollm2")
        #expect(s.info.indexLabel == "demo v9")
        s = update(s, .offline(BedsideError(.inferenceUnavailable, "down"))).0
        #expect(s.connectivity.isOffline)
        var effects: [Effect] = []
        for _ in 0..<Update.readyIntervalOffline {
            let r = update(s, .tick)
            s = r.0
            effects += r.1
        }
        #expect(effects == [.checkReady])
    }

    @Test func messagesExpireAfterAWhile() {
        var s = update(Fixtures.state(), .exported(path: "/tmp/x.md")).0
        #expect(s.message?.text == "Exported x.md to /tmp")
        for _ in 0..<Update.messageTicks { s = update(s, .tick).0 }
        #expect(s.message == nil)
    }

    @Test func reAskBypassesTheCache() {
        let (s, effects) = Fixtures.press([.character("r")], Fixtures.answered())
        #expect(effects == [.query(QueryRequest(question: "How much fluid in sepsis?"), noCache: true)])
        #expect(s.phase.isStreaming)
    }
}
