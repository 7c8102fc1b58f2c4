import Foundation
import TestSupport
import Testing

/// The console and `ask` on a shared gateway that goes away: a real `bedside serve`, the
/// workstation replica, `kill -9`, replay, and recovery when the gateway returns.
/// Captured screens are written to $BEDSIDE_TEST_OUTPUT/*.screens.txt.
@Suite("Offline on a shared gateway", .enabled(if: Tmux.available || ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_ML"] == "1"))
struct ReplicaEndToEndTests {
    static let questions = [
        "What is the first-line fluid bolus in septic shock?",
        "What is the naloxone dose for opioid overdose?",
        "How is hyperkalaemia treated?",
    ]
    /// A word each question's answer contains (so a wait never matches the previous answer).
    static let answerWords = ["30 mL/kg", "aloxone", "otassium"]

    /// Everything a test needs: a scratch folder, the gateway's database, the workstation's data folder.
    struct Setup {
        let scratch: Scratch
        let db: String
        let data: String
        var consoleEnv: [String: String] {
            ["XDG_DATA_HOME": data, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"]
        }
        var serverEnv: [String: String] { ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus, "XDG_DATA_HOME": scratch.file("server-data")] }

        init() throws {
            scratch = try Scratch()
            db = scratch.file("gateway.sqlite")
            data = scratch.file("workstation")
        }

        func serve(port: String = "0") async throws -> ServerProcess {
            try await ServerProcess.start(["--db", db, "--port", port], env: serverEnv, timeout: .seconds(120))
        }

        func token(_ subject: String) async throws -> String {
            let r = try await Bin.run(["token", "create", "--db", db, "--subject", subject], env: serverEnv)
            guard r.status == 0 else { throw TestError("token create failed: \(r.stderr)") }
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// `bedside doctor --json`'s replica lines (the workstation's view).
        func replicaReport() async throws -> String {
            let r = try await Bin.run(["doctor", "--json", "--db", scratch.file("unused.sqlite")], env: ["XDG_DATA_HOME": data])
            return r.stdout
        }
    }

    /// The answer pane's text: the left column of the rows under the question box.
    static func answerPane(_ screen: String) -> String {
        screen.split(separator: "\n").dropFirst(4).map { line in String(line.prefix(78)) }.joined(separator: "\n")
    }

    static func port(of url: String) -> String { String(url.split(separator: ":").last ?? "") }

    /// Asks on the question line (from any focus) and waits for a cited answer.
    static func ask(_ tui: Tmux, _ question: String, until predicate: @escaping (String) -> Bool) async throws -> String {
        try await tui.send("Escape")
        try await tui.send("i")
        try await tui.send("C-u")
        try await tui.type(question)
        try await tui.send("Enter")
        return try await tui.waitFor("answer to \(question)", timeout: .seconds(60), predicate)
    }

    @Test func killTheGatewayReplayFromTheReplicaThenRecover() async throws {
        let setup = try Setup()
        defer { setup.scratch.cleanup() }
        var server = try await setup.serve()
        defer { server.kill() }
        let port = Self.port(of: server.url)
        let token = try await setup.token("dr.ada")

        let tui = try await Tmux.start(
            command: [Bin.path, "--gateway", server.url, "--token", token, "--export-dir", setup.scratch.path],
            env: setup.consoleEnv)
        defer {
            tui.saveScreens("replica-console")
            tui.kill()
        }
        try await tui.waitFor("console online", timeout: .seconds(60)) { $0.contains("ONLINE") && $0.contains("Question") }

        // 1. Online: three questions, and a source opened.
        for (q, word) in zip(Self.questions, Self.answerWords) {
            _ = try await Self.ask(tui, q) { screen in
                Self.answerPane(screen).contains(word) && screen.contains("[1]") && !screen.contains("Searching")
            }
        }
        _ = try await Self.ask(tui, Self.questions[0]) { $0.contains("30 mL/kg") && $0.contains("[1]") }
        try await tui.send("1")
        try await tui.waitFor("source online", timeout: .seconds(30)) { $0.contains("Source:") }
        try await tui.send("Escape")
        // The replica has the three answers and their documents before the network goes.
        var report = ""
        _ = try? await Poll.until("the replica to hold the three answers", timeout: .seconds(60), every: .milliseconds(200)) { () -> Bool? in
            report = try await setup.replicaReport()
            return report.contains("3 answers") && !report.contains(" 0 documents") ? true : nil
        }
        #expect(report.contains("3 answers"), "replica not filled: \(report)")
        #expect(report.contains("for dr.ada"))

        // 2. The gateway dies.
        await server.stop(signal: SIGKILL)
        let replay = try await Self.ask(tui, Self.questions[0]) { $0.contains("30 mL/kg") && $0.contains("STALE") && $0.contains("FROM THE REPLICA") }
        #expect(replay.contains("OFFLINE"))
        #expect(replay.contains("[1]"))
        #expect(replay.range(of: #"answered \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"#, options: .regularExpression) != nil, "no date:\n\(replay)")
        #expect(replay.range(of: #"index v\d+"#, options: .regularExpression) != nil)

        // The cited passage, from the replica, highlighted in its document.
        try await tui.send("1")
        let source = try await tui.waitFor("source from the replica", timeout: .seconds(30), escapes: true) { $0.contains("Source:") }
        let highlighted = source.split(separator: "\n").filter { $0.contains("30 mL/kg") }
        #expect(highlighted.contains { TUIEndToEndTests.hasReverseVideo(String($0)) }, "passage not highlighted:\n\(source)")
        try await tui.send("Escape")

        // History lists the three questions from the replica.
        try await tui.send("h")
        let history = try await tui.waitFor("history from the replica", timeout: .seconds(30)) { screen in
            Self.questions.allSatisfy { screen.contains($0) }
        }
        #expect(history.contains("History"))
        try await tui.send("Escape")

        // A question never asked: the nearest past questions are offered.
        _ = try await Self.ask(tui, "Fluid bolus volume for septic shock") { $0.contains("Nearest past questions") && $0.contains(Self.questions[0]) }

        // Export works offline.
        try await tui.send("1")
        try await tui.waitFor("suggested answer opened", timeout: .seconds(30)) { $0.contains("30 mL/kg") && $0.contains("FROM THE REPLICA") }
        try await tui.send("e")
        try await tui.waitFor("export", timeout: .seconds(30)) { $0.contains(".md") }
        let exports = try FileManager.default.contentsOfDirectory(atPath: setup.scratch.path).filter { $0.hasSuffix(".md") }
        #expect(exports.count == 1)

        // 3. The gateway returns on the same port: ONLINE within 2 s, no restart of the console.
        server = try await setup.serve(port: port)
        let back = ContinuousClock.now
        try await tui.waitFor("back online", timeout: .seconds(30)) { $0.contains("ONLINE") }
        let elapsed = ContinuousClock.now - back
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("ONLINE \(String(format: "%.2f", seconds)) s after the gateway was listening again")
        #expect(seconds < 2, "ONLINE after \(seconds) s")

        // History merges the gateway's and the replica's without duplicates.
        try await tui.send("h")
        let merged = try await tui.waitFor("merged history", timeout: .seconds(30)) { screen in
            Self.questions.allSatisfy { screen.contains($0) } && screen.contains("History (3)")
        }
        for q in Self.questions {
            #expect(merged.components(separatedBy: q).count - 1 == 1, "\(q) listed more than once:\n\(merged)")
        }
        try await tui.send("q")
    }

    @Test func syncIntoAnEmptyReplicaThenReplayOffline() async throws {
        let setup = try Setup()
        defer { setup.scratch.cleanup() }
        let server = try await setup.serve()
        defer { server.kill() }
        let token = try await setup.token("dr.sync")
        let other = try await setup.token("dr.other")
        // Answers asked elsewhere (no replica here), and someone else's.
        for q in Self.questions.prefix(2) {
            let r = try await Bin.run(["ask", "--gateway", server.url, "--token", token, "--no-replica", q], env: ["XDG_DATA_HOME": setup.data])
            #expect(r.status == 0, "\(r.stderr)")
        }
        _ = try await Bin.run(
            ["ask", "--gateway", server.url, "--token", other, "--no-replica", Self.questions[2]], env: ["XDG_DATA_HOME": setup.data])
        #expect(!FileManager.default.fileExists(atPath: setup.data + "/bedside/replicas"))
        // A token the gateway refuses leaves no replica behind.
        let forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJldmUiLCJleHAiOjk5OTk5OTk5OTl9."
        let refused = try await Bin.run(["sync", "--gateway", server.url, "--token", forged], env: ["XDG_DATA_HOME": setup.data])
        #expect(refused.status == 1)
        #expect(refused.stderr.lowercased().contains("token"), "\(refused.stderr)")
        _ = try await Bin.run(["ask", "--gateway", server.url, "--token", forged, Self.questions[0]], env: ["XDG_DATA_HOME": setup.data])
        #expect((try? FileManager.default.contentsOfDirectory(atPath: setup.data + "/bedside/replicas"))?.isEmpty ?? true)

        let sync = try await Bin.run(["sync", "--gateway", server.url, "--token", token, "--since", "30d"], env: ["XDG_DATA_HOME": setup.data])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stdout.contains("Synced 2 answers (2 new)"), "\(sync.stdout)")
        #expect(sync.stdout.range(of: #"and [1-9]\d* documents"#, options: .regularExpression) != nil, "\(sync.stdout)")
        // Idempotent: nothing new the second time, no document fetched again.
        let again = try await Bin.run(["sync", "--gateway", server.url, "--token", token, "--json"], env: ["XDG_DATA_HOME": setup.data])
        let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(summary["answers"] as? Int == 2)
        #expect(summary["new_answers"] as? Int == 0)
        #expect(summary["documents"] as? Int == 0)
        #expect(summary["replica_answers"] as? Int == 2)

        await server.stop(signal: SIGKILL)

        // `ask --gateway` replays from the replica: JSON marked stale and offline, exit 4.
        let ask = try await Bin.run(
            ["ask", "--gateway", server.url, "--token", token, "--json", Self.questions[0]], env: ["XDG_DATA_HOME": setup.data])
        #expect(ask.status == 4, "\(ask.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(ask.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(json["stale"] as? Bool == true)
        #expect(json["offline"] as? Bool == true)
        #expect((json["answer"] as? String)?.contains("30 mL/kg") == true)
        #expect((json["replica"] as? String)?.contains("/bedside/replicas/") == true)
        // Someone else's answer was never synced here.
        let foreign = try await Bin.run(["ask", "--gateway", server.url, "--token", token, Self.questions[2]], env: ["XDG_DATA_HOME": setup.data])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("replica holds no answer"))

        // The console replays from the synced replica, sources included.
        let tui = try await Tmux.start(command: [Bin.path, "--gateway", server.url, "--token", token], env: setup.consoleEnv)
        defer {
            tui.saveScreens("replica-sync-console")
            tui.kill()
        }
        try await tui.waitFor("offline at start", timeout: .seconds(60)) { $0.contains("OFFLINE") && $0.contains("Question") }
        try await tui.type(Self.questions[1])
        try await tui.send("Enter")
        try await tui.waitFor("replayed answer", timeout: .seconds(30)) {
            $0.contains("STALE") && $0.contains("FROM THE REPLICA") && $0.contains("[1]")
        }
        try await tui.send("1")
        try await tui.waitFor("synced source", timeout: .seconds(30)) { $0.contains("Source:") && $0.lowercased().contains("naloxone") }
        try await tui.send("q")
    }
}
