import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Issue 8: `kill -9` of `bedside serve` under load loses no audit row for any response a
/// client received, and the hash chain still verifies; an edited row is named by `verify`.
@Suite("Audit trail under load and tampering", .serialized)
struct AuditUnderLoadTests {
    @Test func everyResponseReceivedBeforeKillMinusNineHasItsAuditRow() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let db = s.file("load.sqlite")
        let server = try ServerProcess(["--db", db, "--rate-limit", "1000000", "--rate-refill", "1000000"],
                                       env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
        let token = try Bin.run(["token", "create", "--db", db, "--subject", "dr-load", "--ttl", "10m"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let questions = ["What is the first-line fluid bolus in septic shock?", "CURB-65 criteria", "What is the IM adrenaline dose in anaphylaxis?",
                         "Target MAP in septic shock", "CHA2DS2-VASc in atrial fibrillation"]
        let received = Locked<[String]>([])
        let stop = Locked(false)
        let session = URLSession(configuration: .ephemeral)
        let queryURL = URL(string: server.url + "/v1/query")!
        let group = DispatchGroup()
        for worker in 0..<6 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                var i = worker
                var failures = 0
                while !stop.get(), failures < 20 {
                    i += 1
                    var request = URLRequest(url: queryURL)
                    request.httpMethod = "POST"
                    request.timeoutInterval = 5
                    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    if i % 4 == 0 { request.setValue("no-cache", forHTTPHeaderField: "Cache-Control") }  // some fresh answers too
                    request.httpBody = try? JSONSerialization.data(withJSONObject: ["question": questions[i % questions.count]])
                    let done = DispatchSemaphore(value: 0)
                    let result = Locked<(Int, String?)>((0, nil))
                    session.dataTask(with: request) { _, response, _ in
                        if let http = response as? HTTPURLResponse {
                            result.set((http.statusCode, http.value(forHTTPHeaderField: "X-Request-ID")))
                        }
                        done.signal()
                    }.resume()
                    done.wait()
                    let (status, id) = result.get()
                    if status == 200, let id {
                        var all = received.get()
                        all.append(id)
                        received.set(all)
                    } else {
                        failures += 1
                    }
                }
            }
        }
        // Load for a while, then kill the gateway without warning while requests are in flight.
        let deadline = Date().addingTimeInterval(20)
        while received.get().count < 150, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        server.stop(signal: SIGKILL)
        stop.set(true)
        group.wait()
        let ids = Set(received.get())
        #expect(ids.count >= 150, "the load must have been real (\(ids.count) responses)")

        let export = try Bin.run(["audit", "--db", db, "--format", "jsonl"])
        #expect(export.status == 0, "stderr: \(export.stderr)")
        let audited = Set(export.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["request_id"] as? String
        })
        let missing = ids.subtracting(audited)
        #expect(missing.isEmpty, "\(missing.count) responses received without an audit row")
        let verify = try Bin.run(["audit", "verify", "--db", db])
        #expect(verify.status == 0, "verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("audit chain ok"))
    }

    @Test func verifyNamesTheRowEditedWithSqlite() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let db = s.file("tamper.sqlite")
        for q in ["What is the first-line fluid bolus in septic shock?", "CURB-65 criteria", "Target MAP in septic shock"] {
            let r = try Bin.run(["ask", "--db", db, "--json", q], env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
            #expect(r.status == 0 || r.status == 3, "stderr: \(r.stderr)")
        }
        #expect(try Bin.run(["audit", "verify", "--db", db]).status == 0)
        // The table is append-only: a plain UPDATE through the sqlite3 shell fails; a tamperer drops the trigger first.
        let refused = try Shell.run("sqlite3", [db, "UPDATE audit SET question = 'edited' WHERE id = 2;"])
        #expect(refused.status != 0 && refused.stderr.contains("append-only"))
        let edited = try Shell.run("sqlite3", [db, "DROP TRIGGER audit_append_only_update; UPDATE audit SET question = 'edited' WHERE id = 2;"])
        #expect(edited.status == 0, "sqlite3: \(edited.stderr)")
        let verify = try Bin.run(["audit", "verify", "--db", db])
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("row 2"), "stderr: \(verify.stderr)")
        // The table escapes what would act on the reviewer's terminal; --json keeps it exact.
        let hostile = "UPDATE audit SET question = 'clear' || char(27) || '[2J' || char(8238) || 'evil' WHERE id = 3;"
        #expect(try Shell.run("sqlite3", [db, hostile]).status == 0)
        let table = try Bin.run(["audit", "--db", db, "--limit", "5"])
        #expect(table.status == 0)
        #expect(table.stdout.contains(#"clear\u{1B}[2J\u{202E}evil"#), "table: \(table.stdout)")
        #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{202E}"))
        let json = try Bin.run(["audit", "--db", db, "--json", "--limit", "5"])
        #expect(json.stdout.contains(#"clear\u001b[2J"#), "json: \(json.stdout)")
    }
}

/// Runs a system tool (not `bedside`) and captures its output.
enum Shell {
    static func run(_ tool: String, _ args: [String]) throws -> Bin.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Bin.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
