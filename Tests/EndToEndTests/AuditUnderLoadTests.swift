import Core
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Issue 8: `kill -9` of `bedside serve` under load loses no audit row for any response a
/// client received, and the hash chain still verifies; an edited row is named by `verify`.
@Suite("Audit trail under load and tampering")
struct AuditUnderLoadTests {
    @Test func everyResponseReceivedBeforeKillMinusNineHasItsAuditRow() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("load.sqlite")
        let server = try await ServerProcess.start(
            ["--db", db, "--rate-limit", "1000000", "--rate-refill", "1000000"],
            env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "dr-load", "--ttl", "10m"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let questions = [
            "What is the first-line fluid bolus in septic shock?", "CURB-65 criteria", "What is the IM adrenaline dose in anaphylaxis?",
            "Target MAP in septic shock", "CHA2DS2-VASc in atrial fibrillation",
        ]
        let received = Locked<[String]>([])
        let stop = Locked(false)
        let session = URLSession(configuration: .ephemeral)
        let queryURL = try #require(URL(string: server.url + "/v1/query"))
        // Six clients in a loop, each waiting for its response before sending the next.
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var i = worker
                        var failures = 0
                        while !stop.current, failures < 20 {
                            i += 1
                            var request = URLRequest(url: queryURL)
                            request.httpMethod = "POST"
                            request.timeoutInterval = 5
                            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                            if i % 4 == 0 { request.setValue("no-cache", forHTTPHeaderField: "Cache-Control") } // some fresh answers too
                            request.httpBody = Data(JSONText.query(questions[i % questions.count]).utf8)
                            let response = try? await session.data(for: request).1 as? HTTPURLResponse
                            if response?.statusCode == 200, let id = response?.value(forHTTPHeaderField: "X-Request-ID") {
                                received.withLock { $0.append(id) }
                            } else {
                                failures += 1
                            }
                        }
                    }
                }
            }
        }
        // Load for a while, then kill the gateway without warning while requests are in flight.
        _ = try? await Poll.until("150 responses under load", timeout: .seconds(20)) { received.current.count >= 150 }
        await server.stop(signal: SIGKILL)
        stop.withLock { $0 = true }
        await load.value
        let ids = Set(received.current)
        #expect(ids.count >= 150, "the load must have been real (\(ids.count) responses)")

        let export = try await Bin.run(["audit", "--db", db, "--format", "jsonl"])
        #expect(export.status == 0, "stderr: \(export.stderr)")
        let audited = Set(
            export.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["request_id"] as? String
            })
        let missing = ids.subtracting(audited)
        #expect(missing.isEmpty, "\(missing.count) responses received without an audit row")
        let verify = try await Bin.run(["audit", "verify", "--db", db])
        #expect(verify.status == 0, "verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("audit chain ok"))
    }

    @Test func verifyNamesTheRowEditedWithSqlite() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("tamper.sqlite")
        for q in ["What is the first-line fluid bolus in septic shock?", "CURB-65 criteria", "Target MAP in septic shock"] {
            let r = try await Bin.run(["ask", "--db", db, "--json", q], env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
            #expect(r.status == 0 || r.status == 3, "stderr: \(r.stderr)")
        }
        #expect(try await Bin.run(["audit", "verify", "--db", db]).status == 0)
        // The table is append-only: a plain UPDATE through the sqlite3 shell fails; a tamperer drops the trigger first.
        let refused = try await Shell.run("sqlite3", [db, "UPDATE audit SET question = 'edited' WHERE id = 2;"])
        #expect(refused.status != 0 && refused.stderr.contains("append-only"))
        let edited = try await Shell.run(
            "sqlite3", [db, "DROP TRIGGER audit_append_only_update; UPDATE audit SET question = 'edited' WHERE id = 2;"])
        #expect(edited.status == 0, "sqlite3: \(edited.stderr)")
        let verify = try await Bin.run(["audit", "verify", "--db", db])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("row 2"), "stderr: \(verify.stderr)")
        // The table escapes what would act on the reviewer's terminal; --json keeps it exact.
        let hostile = "UPDATE audit SET question = 'clear' || char(27) || '[2J' || char(8238) || 'evil' WHERE id = 3;"
        #expect(try await Shell.run("sqlite3", [db, hostile]).status == 0)
        let table = try await Bin.run(["audit", "--db", db, "--limit", "5"])
        #expect(table.status == 0)
        #expect(table.stdout.contains(#"clear\u{1B}[2J\u{202E}evil"#), "table: \(table.stdout)")
        #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{202E}"))
        let json = try await Bin.run(["audit", "--db", db, "--json", "--limit", "5"])
        #expect(json.stdout.contains(#"clear\u001b[2J"#), "json: \(json.stdout)")
    }
}
