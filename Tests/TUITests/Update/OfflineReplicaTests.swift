import Core
import Foundation
import Testing

@testable import TUI

/// The console when the gateway is gone: replays from the replica, suggestions, the probe.
@Suite struct OfflineReplicaTests {
    static func streaming(_ question: String = "How much fluid in sepsis?") -> AppState {
        var s = Fixtures.type(question, into: Fixtures.state())
        s = update(s, .key(.enter)).0
        return s
    }

    @Test func aReplayedAnswerSaysWhereAndWhenItComesFrom() {
        var answer = Fixtures.answer(cached: true, stale: true)
        answer.indexVersion = 7
        let s = update(Self.streaming(), .replayed(answer, reason: "Cannot reach the gateway at 127.0.0.1:8787.")).0
        #expect(s.phase == .answered(answer, origin: .replica))
        #expect(s.connectivity == .offline(reason: "Cannot reach the gateway at 127.0.0.1:8787."))
        let screen = RootView.render(s).text
        #expect(screen.contains("FROM THE REPLICA"))
        #expect(ReplicaBanner.text(answer) == "[FROM THE REPLICA on this workstation, answered 2023-11-14 22:13 UTC, index v7, model extractive]")
        #expect(screen.contains("22:13 UTC, index v7"))
        #expect(screen.contains("STALE"))
        #expect(screen.contains("OFFLINE"))
        #expect(screen.contains("30 mL/kg"))
    }

    @Test func aReplayForAnOldStreamIsIgnored() {
        let s = update(Fixtures.answered(), .replayed(Fixtures.answer(stale: true), reason: "x")).0
        #expect(s.phase == .answered(Fixtures.answer(), origin: .live))
    }

    @Test func anUnreachableGatewayOffersTheNearestPastQuestions() {
        let (s, effects) = update(
            Self.streaming("Fluid volume in septic shock"),
            .error(BedsideError(.gatewayUnreachable, "Cannot reach the gateway at 127.0.0.1:8787.")))
        guard case .offline(let o) = s.phase else {
            Issue.record("not offline: \(s.phase)")
            return
        }
        #expect(o.question == "Fluid volume in septic shock")
        #expect(s.connectivity.isOffline)
        #expect(effects == [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .suggestions(question: "Fluid volume in septic shock"))])
        let loaded = update(
            s,
            .historyLoaded(
                Fixtures.history(["How much fluid in septic shock?", "CURB-65 criteria"]),
                .suggestions(question: "Fluid volume in septic shock"))
        ).0
        #expect(RootView.render(loaded).text.contains("1. How much fluid in septic shock?"))
    }

    @Test func aStoredAnswerOpenedFromTheReplicaIsMarked() {
        var s = Fixtures.state()
        s.screen = .history
        s.history.entries = Fixtures.history(["How much fluid in sepsis?"])
        s = update(s, .key(.enter)).0
        let answer = Fixtures.answer(cached: true, stale: true)
        s = update(s, .answerLoaded(answer, origin: .replica)).0
        #expect(s.phase == .answered(answer, origin: .replica))
        #expect(RootView.render(s).text.contains("FROM THE REPLICA"))
    }

    @Test func theProbeBacksOffWhileOfflineAndResetsWhenOnline() {
        var s = Fixtures.state()
        var gaps: [Int] = []
        var last = 0
        for _ in 0..<4 {
            s = update(s, .offline(BedsideError(.gatewayUnreachable, "down"))).0
            var ticks = 0
            while true {
                ticks += 1
                let (next, effects) = update(s, .tick)
                s = next
                if effects == [.checkReady] { break }
                if ticks > 100 { break }
            }
            gaps.append(s.ticks - last)
            last = s.ticks
        }
        // 0.5 s, 1 s, then at most 1 s (4 ticks) between probes: a returning gateway is seen within about a second.
        #expect(gaps.dropFirst().allSatisfy { $0 <= Update.readyIntervalOffline })
        #expect(gaps.last == Update.readyIntervalOffline)
        s = update(s, .online(InferenceStatus(ready: true, indexVersion: 3, model: "m", retriever: "bm25"))).0
        #expect(s.offlineProbes == 0)
        #expect(Update.readyInterval(s) == Update.readyIntervalOnline)
    }
}
