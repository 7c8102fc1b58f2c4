import Core
import Foundation
import Synchronization
import Testing

@testable import TUI

/// The whole console loop (keys, effects, answer streams, stale-stream dropping, frame
/// batching, resize) with an in-memory terminal and a scripted API client: no tty, no server,
/// no ticker, no signal handlers.
@MainActor
@Suite struct TUIRuntimeTests {
    /// A running console.
    @MainActor
    struct Console {
        let terminal: InMemoryTerminal
        let api: ScriptedAPI
        let runtime: TUIRuntime
        let running: Task<Void, any Error>

        init(width: Int = 100, height: Int = 30, replica: (any AnswerReplica)? = nil, longestFrameGap: Duration = .seconds(3600)) {
            terminal = InMemoryTerminal(width: width, height: height)
            api = ScriptedAPI()
            runtime = TUIRuntime(
                options: TUIOptions(gatewayURL: "http://127.0.0.1:8787", token: "t", replica: replica), client: api,
                terminal: terminal, color: false, tickInterval: nil, handlesSignals: false,
                longestFrameGap: longestFrameGap, trace: nil)
            running = Task { [runtime] in try await runtime.run() }
        }

        /// Waits until the start-up probe has drawn the console online with its token checked
        /// (so neither answer lands in the middle of what a test measures).
        func ready() async {
            await terminal.frame { [runtime] _ in runtime.state.connectivity == .online && runtime.state.token == .accepted }
        }

        /// The next `POST /v1/query` the runtime makes.
        func nextCall() async -> ScriptedAPI.Call? {
            for await call in api.calls { return call }
            return nil
        }

        func ask(_ question: String) {
            terminal.type(question)
            terminal.press(.enter)
        }

        /// Quits (twice Ctrl-C if an answer is still streaming) and waits for the loop to end.
        func quit() async throws {
            terminal.press(.control("c"))
            if !runtime.state.quitting { terminal.press(.control("c")) }
            try await running.value
            #expect(terminal.stopped)
        }

        /// Holds the main actor, so the runtime cannot take anything from its inbox, until at
        /// least `count` items are queued there: the stream tasks fill it meanwhile, off the main actor.
        func holdUntilQueued(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            let deadline = ContinuousClock.now + .seconds(20)
            while runtime.queuedItems < count {
                if ContinuousClock.now > deadline {
                    Issue.record("only \(runtime.queuedItems) of \(count) items queued", sourceLocation: sourceLocation)
                    return
                }
                usleep(100)
            }
        }
    }

    static func answer(_ question: String, text: String) -> Answer {
        var a = Fixtures.answer(question: question)
        a.answer = text
        a.sentences = [AnswerSentence(text: text, citations: [1])]
        return a
    }

    @Test func aSlowStreamIsDrawnPieceByPieceThenComplete() async throws {
        let console = Console()
        await console.ready()
        #expect(console.terminal.started)
        console.ask("How much fluid in sepsis?")
        let call = try #require(await console.nextCall())
        #expect(call.request.question == "How much fluid in sepsis?" && !call.noCache)

        call.send(.citations([Fixtures.citation(1)]), .delta("Give 30 mL/kg"))
        await console.terminal.frame(showing: "Give 30 mL/kg")
        guard case .streaming = console.runtime.state.phase else {
            Issue.record("not streaming")
            return
        }
        call.send(.delta(" of crystalloid"))
        await console.terminal.frame(showing: "Give 30 mL/kg of crystalloid")
        let answer = Self.answer("How much fluid in sepsis?", text: "Give 30 mL/kg of crystalloid within 3 hours [1].")
        call.send(.done(answer))
        await console.terminal.frame(showing: "within 3 hours")
        #expect(console.runtime.state.phase == .answered(answer, origin: .live))
        try await console.quit()
    }

    @Test func aCutStreamKeepsThePartialTextAndShowsWhy() async throws {
        let console = Console()
        await console.ready()
        console.ask("Vasopressor of choice?")
        let call = try #require(await console.nextCall())
        call.send(.citations([Fixtures.citation(1)]), .delta("Norepinephrine is first line"))
        await console.terminal.frame(showing: "Norepinephrine is first line")
        call.fail(BedsideError(.upstream, "The connection to the gateway was lost."))
        let frame = await console.terminal.frame { [runtime = console.runtime] _ in
            if case .failed = runtime.state.phase { true } else { false }
        }
        guard case .failed(let failed) = console.runtime.state.phase else {
            Issue.record("not failed")
            return
        }
        #expect(failed.error.code == .upstream && failed.partialText == "Norepinephrine is first line")
        #expect(frame?.text.contains("Norepinephrine is first line") == true)
        try await console.quit()
    }

    @Test func aStreamCutBeforeAnyTextIsReplayedFromTheReplica() async throws {
        let replica = MemoryReplica()
        let kept = Self.answer("Lactate target?", text: "Aim to normalise lactate [1].")
        try await replica.record(kept)
        let console = Console(replica: replica)
        await console.ready()
        console.ask("Lactate target?")
        let call = try #require(await console.nextCall())
        call.fail(BedsideError(.gatewayUnreachable, "Cannot reach the gateway at 127.0.0.1:8787."))
        await console.terminal.frame(showing: "Aim to normalise lactate")
        guard case .answered(let shown, .replica) = console.runtime.state.phase else {
            Issue.record("not replayed")
            return
        }
        #expect(shown.stale && shown.cached)
        #expect(console.runtime.state.connectivity.isOffline)
        try await console.quit()
    }

    @Test func aStaleStreamsEventsAreDroppedAfterANewQuestion() async throws {
        let console = Console()
        await console.ready()
        console.ask("First question")
        let first = try #require(await console.nextCall())
        await console.terminal.frame { [runtime = console.runtime] _ in runtime.state.phase.isStreaming }
        let before = console.terminal.frames.count

        // The second question is typed, then the first stream's whole answer arrives, all
        // before the runtime runs again: its inbox holds the keys first, the stale events after.
        console.terminal.press(.character("i"), .control("u"))
        console.ask("Second question")
        first.send(
            .citations([Fixtures.citation(1)]), .delta("STALE first text"),
            .done(Self.answer("First question", text: "STALE first answer [1].")))
        console.holdUntilQueued(4)

        let second = try #require(await console.nextCall())
        #expect(second.request.question == "Second question")
        second.send(.citations([Fixtures.citation(1)]), .delta("Fresh text"))
        await console.terminal.frame(showing: "Fresh text")
        second.send(.done(Self.answer("Second question", text: "Fresh second answer [1].")))
        await console.terminal.frame(showing: "Fresh second answer")

        #expect(!console.terminal.frames.dropFirst(before).contains { $0.text.contains("STALE") })
        #expect(console.runtime.state.phase.answer?.question == "Second question")
        // The first stream was cancelled when the second question went out.
        #expect(first.wasCancelled)
        try await console.quit()
    }

    /// A cached answer arrives as one burst (citations, forty deltas, done) while the main
    /// actor is busy; returns how many frames the runtime drew for it.
    func framesForABurst(longestFrameGap: Duration) async throws -> Int {
        let console = Console(longestFrameGap: longestFrameGap)
        await console.ready()
        console.ask("How much fluid in sepsis?")
        let call = try #require(await console.nextCall())
        await console.terminal.frame { [runtime = console.runtime] _ in runtime.state.phase.isStreaming }
        let before = console.terminal.frames.count

        let pieces = (1...40).map { "piece\($0) " }
        let answer = Self.answer("How much fluid in sepsis?", text: pieces.joined() + "[1].")
        call.send([.citations([Fixtures.citation(1)])] + pieces.map(AnswerEvent.delta) + [.done(answer)])
        console.holdUntilQueued(42)

        let shown = await console.terminal.frame(from: before) { [runtime = console.runtime] _ in runtime.state.phase.answer != nil }
        #expect(shown?.text.contains("piece40") == true)
        let drawn = console.terminal.frames.count - before
        try await console.quit()
        return drawn
    }

    @Test func aBurstOfEventsIsDrawnOnce() async throws {
        #expect(try await framesForABurst(longestFrameGap: .seconds(3600)) == 1)
    }

    @Test func aLongBurstStillDrawsEveryGap() async throws {
        // With no gap allowed, every event that changes the screen is drawn: 42 events, 42 frames.
        #expect(try await framesForABurst(longestFrameGap: .zero) == 42)
    }

    @Test func aResizeRedrawsEverythingAtTheNewSize() async throws {
        let console = Console(width: 100, height: 30)
        await console.ready()
        #expect(console.terminal.lastFrame?.width == 100 && console.terminal.lastFrame?.height == 30)
        let invalidations = console.terminal.invalidations

        console.terminal.resize(width: 72, height: 20)
        let small = await console.terminal.frame { $0.width == 72 && $0.height == 20 }
        #expect(console.runtime.state.size == TerminalSize(width: 72, height: 20))
        #expect(console.terminal.invalidations == invalidations + 1)
        #expect(small?.text.contains("127.0.0.1:8787") == true)

        // Too small for the panes: a plain message; back to a usable size: the panes again.
        console.terminal.resize(width: 20, height: 5)
        await console.terminal.frame { $0.width == 20 && $0.height == 5 }
        console.terminal.resize(width: 90, height: 25)
        let back = await console.terminal.frame { $0.width == 90 && $0.height == 25 }
        #expect(back?.text.contains("127.0.0.1:8787") == true)
        #expect(console.terminal.invalidations == invalidations + 3)
        try await console.quit()
    }

    @Test func ctrlLRepaintsWithoutChangingState() async throws {
        let console = Console()
        await console.ready()
        let frames = console.terminal.frames.count
        let invalidations = console.terminal.invalidations
        let state = console.runtime.state
        console.terminal.press(.control("l"))
        await console.terminal.frame(from: frames) { _ in true }
        #expect(console.terminal.invalidations == invalidations + 1)
        #expect(console.runtime.state == state)
        try await console.quit()
    }
}

extension TUIRuntime {
    /// Items waiting in the inbox (tests hold the main actor until a burst has queued).
    var queuedItems: Int { sink.queued.withLock { $0 } }
}
