import Core
import Foundation
import TestSupport
import Testing

/// Issue 21, items 5 and 6: `bedside history` (local, online, offline from the replica,
/// `history show`), `doctor --gateway` (live, stopped, revoked token), and `config`'s database
/// row, defaults and all-at-once errors, through the built binary.
@Suite("bedside history and doctor --gateway")
struct HistoryAndGatewayDoctorTests {
    /// A gateway's database and its own data folder, and a workstation's data folder.
    struct Setup {
        let scratch: Scratch
        var db: String { scratch.file("gateway.sqlite") }
        var serverEnv: [String: String] { ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus, "XDG_DATA_HOME": scratch.file("server-data")] }
        var workstation: [String: String] { ["XDG_DATA_HOME": scratch.file("workstation")] }

        init() throws { scratch = try Scratch() }

        func serve() async throws -> ServerProcess {
            try await ServerProcess.start(["--db", db], env: serverEnv, timeout: .seconds(120))
        }

        /// A token for `subject`, written 0600 to a file (as the README tells clinicians to).
        func tokenFile(_ subject: String) async throws -> String {
            let path = scratch.file("\(subject).token")
            let r = try await Bin.run(["token", "create", "--db", db, "--subject", subject, "--out", path], env: serverEnv)
            guard r.status == 0 else { throw TestError("token create failed: \(r.stderr)") }
            return path
        }
    }

    static func entries(_ json: String) throws -> [[String: Any]] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "not JSON: \(json)")
        return try #require(object["entries"] as? [[String: Any]])
    }

    @Test func localHistoryListsWhatAskStoredAndShowsAnAnswer() async throws {
        let s = try Setup()
        defer { s.scratch.cleanup() }
        let db = s.scratch.file("local.sqlite")
        for q in ["What is the first-line fluid bolus in septic shock?", "What is the naloxone dose for opioid overdose?"] {
            let r = try await Bin.run(["ask", "--db", db, q])
            #expect(r.status == 0, "ask: \(r.stderr)")
        }
        let table = try await Bin.run(["history", "--db", db])
        #expect(table.status == 0, "stderr: \(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("TIME") == true && lines.first?.contains("ID") == true && lines.first?.hasSuffix("QUESTION") == true)
        // Newest first.
        #expect(
            lines.count == 3 && lines[1].hasSuffix("naloxone dose for opioid overdose?") && lines[2].hasSuffix("septic shock?"), "\(table.stdout)")

        // README: `bedside history -n 10 -q septic`.
        let readme = try await Bin.run(["history", "--db", db, "-n", "10", "-q", "septic"])
        #expect(readme.status == 0 && readme.stdout.contains("septic shock?") && !readme.stdout.contains("naloxone"), "\(readme.stdout)")

        let filtered = try await Bin.run(["history", "--db", db, "-q", "SEPTIC", "--json"])
        #expect(filtered.status == 0, "stderr: \(filtered.stderr)")
        let entries = try Self.entries(filtered.stdout)
        #expect(entries.count == 1 && entries[0]["question"] as? String == "What is the first-line fluid bolus in septic shock?")
        #expect(entries[0]["cached"] as? Bool == false && entries[0]["index_version"] as? Int == 1)
        let id = try #require(entries[0]["answer_id"] as? String)

        let one = try await Bin.run(["history", "show", "--db", db, id])
        #expect(one.status == 0, "stderr: \(one.stderr)")
        #expect(one.stdout.hasPrefix("Q: What is the first-line fluid bolus in septic shock?") && one.stdout.contains("30 mL/kg"))
        #expect(one.stdout.contains("Citations"))
        let missing = try await Bin.run(["history", "show", "--db", db, "no-such-answer"])
        #expect(missing.status == 1 && missing.stderr.contains("No answer with id no-such-answer"))
    }

    @Test func gatewayHistoryOnlineThenOfflineFromTheReplica() async throws {
        let s = try Setup()
        defer { s.scratch.cleanup() }
        let server = try await s.serve()
        defer { server.kill() }
        let alice = try await s.tokenFile("alice")
        let remote = ["--gateway", server.url, "--token-file", alice]
        let asked = try await Bin.run(["ask"] + remote + ["What is the naloxone dose for opioid overdose?"], env: s.workstation)
        #expect(asked.status == 0, "ask: \(asked.stderr)")

        let online = try await Bin.run(["history", "--json"] + remote, env: s.workstation)
        #expect(online.status == 0, "stderr: \(online.stderr)")
        #expect(online.stdout.contains(#""source" : "gateway""#) && online.stdout.contains(#""offline" : false"#))
        let id = try #require(try Self.entries(online.stdout).first?["answer_id"] as? String)
        let table = try await Bin.run(["history", "-n", "5"] + remote, env: s.workstation)
        #expect(table.status == 0 && table.stdout.contains(id) && table.stdout.contains("naloxone"), "\(table.stdout) \(table.stderr)")

        await server.stop(signal: SIGKILL)
        let offline = try await Bin.run(["history"] + remote, env: s.workstation)
        #expect(offline.status == 4, "stdout: \(offline.stdout) stderr: \(offline.stderr)")
        #expect(offline.stdout.contains(id) && offline.stdout.contains("naloxone"))
        #expect(
            offline.stderr.contains("Cannot reach the gateway") && offline.stderr.contains("from the replica") && offline.stderr.contains("(offline)")
        )

        let shown = try await Bin.run(["history", "show"] + remote + [id], env: s.workstation)
        #expect(shown.status == 4, "stderr: \(shown.stderr)")
        #expect(shown.stdout.contains("aloxone") && shown.stdout.contains("STALE") && shown.stderr.contains("from the replica"))
        let json = try await Bin.run(["history", "show", "--json"] + remote + [id], env: s.workstation)
        #expect(json.status == 4 && json.stdout.contains(#""answer_id" : "\#(id)""#), "\(json.stdout) \(json.stderr)")
    }

    @Test func doctorChecksALiveGatewayARevokedTokenAndAStoppedGateway() async throws {
        let s = try Setup()
        defer { s.scratch.cleanup() }
        let server = try await s.serve()
        defer { server.kill() }
        let bob = try await s.tokenFile("bob")
        let args = ["doctor", "--gateway", server.url, "--token-file", bob, "--timeout", "5"]

        let live = try await Bin.run(args)
        #expect(live.status == 0, "stdout: \(live.stdout) stderr: \(live.stderr)")
        func line(_ r: ProcessOutput, _ component: String) -> String {
            r.stdout.split(separator: "\n").first { $0.hasPrefix(component + " ") }.map(String.init) ?? ""
        }
        #expect(line(live, "gateway").contains("ok: \(server.url) answered in"))
        #expect(line(live, "version").contains("ok: server Bedside \(BedsideVersion.current)"))
        #expect(line(live, "tls").contains("plain HTTP on loopback"))
        #expect(line(live, "token").contains("ok: subject bob, expires in 11 h"))
        #expect(line(live, "auth").contains("ok: the gateway accepts the token from --token-file \(bob)"))

        let revoke = try await Bin.run(["token", "revoke", "--db", s.db, "--subject", "bob"], env: s.serverEnv)
        #expect(revoke.status == 0, "revoke: \(revoke.stderr)")
        // The gateway reloads revocations within a second; wait for it rather than sleep.
        let revoked = try await Poll.until("the gateway to refuse the revoked token", timeout: .seconds(20), every: .milliseconds(200)) {
            () -> ProcessOutput? in
            let r = try await Bin.run(args)
            return r.status == 1 ? r : nil
        }
        #expect(line(revoked, "auth").contains("FAILED: the gateway refuses the token from --token-file \(bob): The token has been revoked"))

        await server.stop(signal: SIGKILL)
        let stopped = try await Bin.run(args)
        #expect(stopped.status == 1)
        #expect(line(stopped, "gateway").contains("FAILED: Cannot reach the gateway"), "\(stopped.stdout)")
        #expect(stopped.stdout.contains("Something configured does not work"))
    }

    @Test func configShowsTheDatabaseAndTheReferenceDefaults() async throws {
        let s = try Setup()
        defer { s.scratch.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.scratch.file("cfg")]
        let r = try await Bin.run(["config", "--db", s.scratch.file("mine.sqlite")], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        func value(_ key: String) -> String? {
            r.stdout.split(separator: "\n").first { $0.hasPrefix(key + " ") }
                .map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? "" }
        }
        #expect(r.stdout.contains("database") && value("database") == s.scratch.file("mine.sqlite"))
        #expect(r.stdout.split(separator: "\n").first { $0.hasPrefix("database ") }?.hasSuffix("flag --db") == true)
        // Every default `--reference` lists is the value `config` shows for an unset key.
        let reference = try await Bin.run(["config", "--reference"], env: env)
        var compared = 0
        for row in reference.stdout.split(separator: "\n").dropFirst(2) {
            let cells = row.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 5, cells[4].hasPrefix("`") else { continue }
            let key = cells[1].replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "[", with: "")
                .replacingOccurrences(of: "] ", with: ".")
            let def = cells[4].replacingOccurrences(of: "`", with: "")
            // A default that is a label (`$XDG_DATA_HOME/…`) shows resolved in `config`.
            guard !def.contains(" "), !def.contains("$") else { continue }
            #expect(value(key) == def, "\(key): config shows \(value(key) ?? "nothing"), --reference \(def)")
            compared += 1
        }
        #expect(compared > 40 && value("llm.model") != "-")
    }

    @Test func aConfigFileWithTwoErrorsReportsBothWithTheirLines() async throws {
        let s = try Setup()
        defer { s.scratch.cleanup() }
        try FileManager.default.createDirectory(atPath: s.scratch.file("cfg/bedside"), withIntermediateDirectories: true)
        let path = s.scratch.file("cfg/bedside/config.toml")
        try """
        [gateway]
        port = "eighty"
        [store]
        url = "postgres://ada:pw-two-errors@db/bedside" trailing
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await Bin.run(["config"], env: ["XDG_CONFIG_HOME": s.scratch.file("cfg")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(path):2: [gateway] port: expected a whole number"), "\(r.stderr)")
        #expect(r.stderr.contains("\(path):4: unexpected text after the value"), "\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains("pw-two-errors"))
    }
}
