import Foundation
import TestSupport
import Testing

/// The console, driven as a clinician would drive it: the real binary under tmux.
/// Captured screens are written to $BEDSIDE_TEST_OUTPUT/*.screens.txt.
@Suite("Console under tmux", .enabled(if: Tmux.available || ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_ML"] == "1"))
struct TUIEndToEndTests {
    static let question = "What is the first-line fluid bolus in septic shock?"

    @Test func askOpenSourceHistoryThenReplayOffline() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("tui.sqlite")
        let env = ["BEDSIDE_DB": db, "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]

        // 1. Online, embedded gateway: ask, read the cited answer, open citation 1, open history.
        let online = try await Tmux.start(command: [Bin.path, "--export-dir", s.path], env: env)
        defer {
            online.saveScreens("tui-online")
            online.kill()
        }
        try await online.waitFor("console ready") { $0.contains("ONLINE") && $0.contains("Question") }
        try await online.type(Self.question)
        try await online.send("Enter")
        let answer = try await online.waitFor("cited answer") { $0.contains("30 mL/kg") && $0.contains("[1]") && $0.contains("Citations") }
        #expect(answer.contains("Sepsis"))

        try await online.send("1")
        let source = try await online.waitFor("source viewer", escapes: true) { $0.contains("Source:") }
        // The cited passage is highlighted (reverse video) inside its document.
        let highlighted = source.split(separator: "\n").filter { $0.contains("30 mL/kg") }
        #expect(!highlighted.isEmpty)
        #expect(highlighted.contains { Self.hasReverseVideo(String($0)) }, "passage not highlighted:\n\(source)")
        #expect(!source.split(separator: "\n").contains { $0.contains("## Recognition") && Self.hasReverseVideo(String($0)) })

        try await online.send("Escape")
        try await online.send("h")
        let history = try await online.waitFor("history") { $0.contains("History") && $0.contains(Self.question) }
        #expect(history.contains("History"))
        try await online.send("Enter")
        try await online.waitFor("stored answer reopened") { $0.contains("30 mL/kg") && $0.contains("Answer") }

        try await online.send("e")
        try await online.waitFor("export") { $0.contains(".md") }
        let exports = try FileManager.default.contentsOfDirectory(atPath: s.path).filter { $0.hasSuffix(".md") }
        #expect(exports.count == 1)
        if let e = exports.first {
            let md = try String(contentsOfFile: s.file(e), encoding: .utf8)
            #expect(md.contains("30 mL/kg"))
            #expect(md.contains("[1]"))
        }
        try await online.send("q")
        try await online.waitFor("exit") { !$0.contains("ONLINE") || $0.contains("Pane is dead") || $0.isEmpty }

        // 2. Offline: a gateway whose inference is unreachable; the cached answer replays, marked stale.
        let server = try await ServerProcess.start(["--db", db, "--inference", "http://127.0.0.1:9"], env: env)
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "offline-test"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let offline = try await Tmux.start(command: [Bin.path, "--gateway", server.url, "--token", token], env: env)
        defer {
            offline.saveScreens("tui-offline")
            offline.kill()
        }
        try await offline.waitFor("offline status", timeout: .seconds(30)) { $0.contains("OFFLINE") }
        try await offline.type(Self.question)
        try await offline.send("Enter")
        let replay = try await offline.waitFor("stale replay", timeout: .seconds(30)) { $0.contains("30 mL/kg") && $0.contains("STALE") }
        #expect(replay.contains("[1]"))

        // A question never asked: no answer, and the nearest past questions are offered.
        try await offline.send("Escape")
        try await offline.send("i")
        try await offline.send("C-u")
        try await offline.type("Fluid bolus volume for septic shock")
        try await offline.send("Enter")
        try await offline.waitFor("nearest past questions", timeout: .seconds(30)) { $0.contains("OFFLINE") && $0.contains(Self.question) }
        try await offline.send("C-c")
    }

    /// Help, in-source navigation, resizing below the minimum and back, and the screen-reader layout.
    @Test func helpNavigationResizeAndScreenReader() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = [
            "BEDSIDE_DB": s.file("tui.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus, "TERM": "xterm-256color",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        ]
        let tui = try await Tmux.start(command: [Bin.path], env: env)
        defer {
            tui.saveScreens("tui-keys")
            tui.kill()
        }
        try await tui.waitFor("console ready") { $0.contains("ONLINE") }
        // UTF-8 input, wide characters included, edited with the cursor keys.
        try await tui.type("Fièvre 発熱 sepsis")
        try await tui.send("Left", "Left", "Left", "Left", "Left", "Left", "Left")
        try await tui.type("→")
        try await tui.waitFor("UTF-8 question line") { $0.contains("Fièvre 発熱→ sepsis") }
        try await tui.send("C-u")
        try await tui.send("C-k")
        try await tui.waitFor("cleared") { $0.contains("Type a question") }
        // A question whose answer cites two passages of one document (vasopressors, recognition).
        try await tui.type("septic shock fluids and vasopressors")
        try await tui.send("Enter")
        try await tui.waitFor("answer") { $0.contains("Noradrenaline") && $0.contains("[2]") }

        try await tui.send("?")
        try await tui.waitFor("help overlay") { $0.contains("Help") && $0.contains("export the answer and citations to Markdown") }
        try await tui.send("Escape")
        try await tui.waitFor("help closed") { !$0.contains("export the answer and citations to Markdown") }

        // Source of citation 1, then ] jumps to the next passage this answer cites (n/N step
        // through the supporting sentences first).
        try await tui.send("1")
        try await tui.waitFor("source 1", escapes: true) { screen in
            screen.contains("Source:") && screen.split(separator: "\n").contains { $0.contains("Noradrenaline") && Self.hasReverseVideo(String($0)) }
        }
        try await tui.send("]")
        try await tui.waitFor("next cited passage", escapes: true) { screen in
            screen.split(separator: "\n").contains { $0.contains("lactate stays") && Self.hasReverseVideo(String($0)) }
        }
        try await tui.send("Escape")

        // Below the minimum size: a plain message; back to full size: the answer again.
        try await tui.resize(width: 30, height: 8)
        try await tui.waitFor("too small") { $0.contains("Enlarge the window") }
        try await tui.resize(width: 100, height: 30)
        try await tui.waitFor("redrawn") { $0.contains("Noradrenaline") && !$0.contains("Enlarge the window") }
        try await tui.send("q")

        // Screen-reader layout: labels, no box drawing.
        let reader = try await Tmux.start(command: [Bin.path, "--screen-reader"], env: env)
        defer {
            reader.saveScreens("tui-screen-reader")
            reader.kill()
        }
        let screen = try await reader.waitFor("screen-reader layout") { $0.contains("Question") && $0.contains("ONLINE") }
        #expect(!screen.contains("┌") && !screen.contains("┏") && !screen.contains("│"), "box drawing in screen-reader mode:\n\(screen)")
        try await reader.send("C-c")
    }

    static func hasReverseVideo(_ line: String) -> Bool {
        // SGR with parameter 7 (reverse): ESC[7m, ESC[0;7m, ESC[1;7m, …
        line.range(of: "\u{1B}\\[[0-9;]*(^|;|\\[)7[;m]", options: .regularExpression) != nil
            || line.range(of: "\u{1B}\\[([0-9]+;)*7(;[0-9]+)*m", options: .regularExpression) != nil
    }
}
