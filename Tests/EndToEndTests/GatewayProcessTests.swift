import Foundation
import TestSupport
import Testing

/// `bedside serve` as a separate process: tokens, the CLI against it, crashes and shutdown.
@Suite("Gateway process end to end")
struct GatewayProcessTests {
    @Test func auditRowsSurviveKillMinusNine() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("g.sqlite")
        let env = ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let server = try await ServerProcess.start(["--db", db], env: env)
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "dr-kill", "--ttl", "10m"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(token.split(separator: ".").count == 3)
        let questions = ["What is the first-line fluid bolus in septic shock?", "What is the IM adrenaline dose in anaphylaxis?"]
        for q in questions {
            let r = try await Bin.run(["ask", "--gateway", server.url, "--token", token, "--json", q])
            #expect(r.status == 0, "stderr: \(r.stderr)")
        }
        await server.stop(signal: SIGKILL)
        // Read the audit trail with the sqlite3 CLI-free path: bedside's own store, via a fresh process.
        let audit = try await Bin.run(["audit", "--db", db, "--json", "--limit", "10"])
        #expect(audit.status == 0, "stderr: \(audit.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [[String: Any]])
        // A streamed answer has two rows: `streaming` before its first byte, then its outcome.
        let mine = rows.filter { $0["subject"] as? String == "dr-kill" && $0["outcome"] as? String == "answered" }
        #expect(mine.count == 2)
        #expect(Set(mine.compactMap { $0["question"] as? String }) == Set(questions))
        #expect(mine.allSatisfy { ($0["sources"] as? [String])?.isEmpty == false })
    }

    @Test func rejectsMissingAndForgedTokensAndShutsDownCleanly() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("g.sqlite")
        let server = try await ServerProcess.start(["--db", db], env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
        defer { server.kill() }
        let noToken = try await Bin.run(["ask", "--gateway", server.url, "--token", "not-a-jwt", "sepsis fluids"])
        #expect(noToken.status == 1)
        #expect(noToken.stderr.lowercased().contains("token"))
        let forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJldmUiLCJleHAiOjk5OTk5OTk5OTl9."
        let none = try await Bin.run(["ask", "--gateway", server.url, "--token", forged, "sepsis fluids"])
        #expect(none.status == 1)
        #expect(!server.output.contains(forged), "tokens must never be logged")
        let status = await server.stop(signal: SIGTERM)
        #expect(status == 0)
        #expect(server.output.contains("gateway stopped"))
    }
}
