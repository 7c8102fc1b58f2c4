import Core
import Foundation
import Testing

@testable import TUI

/// Issue 21, item 2: the status bar tells the truth without a question being asked.
@Suite struct StatusProbeTests {
    static let ready = InferenceStatus(ready: true, indexVersion: 3, model: "extractive", retriever: "bm25")
    static let revoked = BedsideError(.unauthorized, "The token has been revoked; ask for a new one.")

    static func state(_ source: TokenSource = .file("/tmp/alice.token"), demo: DemoCorpusShare? = nil) -> AppState {
        var info = Fixtures.info
        info.tokenSource = source
        info.demoCorpus = demo
        return Update.start(info: info, size: TerminalSize(width: 120, height: 30)).0
    }

    /// Ticks until the runtime is asked to probe `/readyz`; nil if it is not within `limit` ticks.
    static func ticksUntilReadyCheck(_ s: inout AppState, limit: Int) -> Int? {
        for n in 1...limit {
            let (next, effects) = update(s, .tick)
            s = next
            if effects.contains(.checkReady) { return n }
        }
        return nil
    }

    @Test func whileOnlineTheGatewayIsProbedEverySecond() throws {
        var s = update(Self.state(), .online(Self.ready)).0
        s = update(s, .tokenChecked(nil)).0
        // At most a second between probes: with a refused connection failing at once, a gateway
        // that goes away shows OFFLINE well within 2 s.
        let ticks = try #require(Self.ticksUntilReadyCheck(&s, limit: 40))
        #expect(ticks <= Update.ticksPerSecond)
        s = update(s, .offline(BedsideError(.gatewayUnreachable, "Cannot reach the gateway at 127.0.0.1:8787."))).0
        #expect(RootView.render(s).row(0).contains("OFFLINE"))
    }

    @Test func theTokenIsCheckedAtStartThenEveryFewSecondsWhileReachable() {
        var (s, effects) = update(Self.state(), .online(Self.ready))
        #expect(effects == [.checkToken])
        // One in flight: no second one.
        (s, effects) = update(s, .online(Self.ready))
        #expect(effects.isEmpty)
        s = update(s, .tokenChecked(nil)).0
        #expect(s.token == .accepted)
        (s, effects) = update(s, .online(Self.ready))
        #expect(effects.isEmpty)
        for _ in 0..<Update.tokenCheckInterval { s = update(s, .tick).0 }
        (s, effects) = update(s, .online(Self.ready))
        #expect(effects == [.checkToken])
        // The gateway gone: nothing is known about the token; checked again when it is back.
        s = update(s, .tokenChecked(nil)).0
        s = update(s, .offline(BedsideError(.gatewayUnreachable, "down"))).0
        #expect(s.token == .unchecked)
        (s, effects) = update(s, .online(Self.ready))
        #expect(effects == [.checkToken])
    }

    @Test func aRejectedTokenShowsInTheStatusBarAndNamesTheTokenFile() {
        var s = update(Self.state(), .online(Self.ready)).0
        s = update(s, .tokenChecked(Self.revoked)).0
        let frame = RootView.render(s)
        #expect(frame.row(0).contains("TOKEN REJECTED"))
        #expect(!frame.row(0).contains("ONLINE"))
        let text = AnswerContent.build(s).string + "\n" + (s.message?.text ?? "")
        #expect(text.contains("--token-file /tmp/alice.token"))
        #expect(text.contains("The token has been revoked"))
        #expect(text.contains("bedside token create"))
        #expect(!text.contains("--token or BEDSIDE_TOKEN"))
        // Other failures of the check (a timeout, a 500) say nothing about the token.
        var other = update(Self.state(), .online(Self.ready)).0
        other = update(other, .tokenChecked(BedsideError(.timeout, "slow"))).0
        #expect(other.token == .unchecked)
        other = update(other, .tokenChecked(BedsideError(.rateLimited, "slow down"))).0
        #expect(other.token == .accepted)
    }

    @Test func aQuestionRefusedFor401NamesHowTheTokenWasGivenWithoutOfferingR() {
        for (source, named) in [(TokenSource.flag, "--token"), (.environment, "BEDSIDE_TOKEN"), (.file("t.jwt"), "--token-file t.jwt")] {
            var s = Fixtures.type("fluids in sepsis", into: Self.state(source))
            s = update(s, .key(.enter)).0
            s = update(s, .error(Self.revoked)).0
            let text = AnswerContent.build(s).string
            #expect(text.contains("The token from \(named) was rejected."))
            #expect(text.contains("bedside token create"))
            #expect(!text.contains("Press r to ask again"))
            #expect(RootView.render(s).row(0).contains("TOKEN REJECTED"))
        }
    }

    @Test func unknownModelAndIndexAreSaidInPlainWords() {
        var info = Fixtures.info
        info.model = ""
        info.indexName = ""
        info.indexVersion = nil
        var s = Update.start(info: info, size: TerminalSize(width: 140, height: 30)).0
        #expect(!RootView.render(s).row(0).contains("?"))
        s = update(s, .offline(BedsideError(.gatewayUnreachable, "Cannot reach the gateway at 127.0.0.1:8787."))).0
        let bar = RootView.render(s).row(0)
        #expect(bar.contains("model unknown (offline)"))
        #expect(bar.contains("index unknown (offline)"))
        #expect(!bar.contains("model ?"))
    }

    @Test func theDemoCorpusIsMarkedAndItsNoticeIsInsideTheConsole() {
        let s = Self.state(.embedded, demo: DemoCorpusShare(demoDocuments: 32, totalDocuments: 32))
        let frame = RootView.render(s)
        #expect(frame.row(0).contains("DEMO"))
        let text = AnswerContent.build(s).string
        #expect(text.contains("demo corpus"))
        #expect(text.contains("not for clinical use"))
        #expect(!RootView.render(Self.state()).row(0).contains("DEMO"))
    }
}
