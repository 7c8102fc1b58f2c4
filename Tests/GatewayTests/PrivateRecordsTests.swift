import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLiteStore
import SharedState
import TestSupport
import Testing

@testable import LocalGateway

/// Issue 8: every record is its asker's; the auditor reads the trail; the trail is chained,
/// append-only and complete on every path; revoked tokens stop working at once.
@Suite struct PrivateRecordsTests {
    static let sse: [HTTPField.Name: String] = [.accept: "text/event-stream"]

    @Test func answersAndHistoryAreScopedToTheirSubject() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        let bob = try await test.token("bob")
        try await test.app.test(.router) { client in
            let a = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(alice), body: queryBody("Alice's patient: sepsis fluids?")
            )
            .decode(Answer.self)
            let id = try #require(a.answerID)
            // Bob: alice's id is a 404 with the same message as an id that does not exist.
            let theirs = try await client.execute(uri: "/v1/answers/\(id)", method: .get, headers: .bearer(bob))
            let missing = try await client.execute(uri: "/v1/answers/0000-none", method: .get, headers: .bearer(bob))
            #expect(theirs.status == .notFound && missing.status == .notFound)
            #expect(
                theirs.errorMessage?.replacingOccurrences(of: id, with: "X") == missing.errorMessage?.replacingOccurrences(of: "0000-none", with: "X")
            )
            let bobHistory = try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(bob)).decode(HistoryPage.self)
            #expect(bobHistory.items.isEmpty)
            let bobSearch = try await client.execute(uri: "/v1/history?q=alice", method: .get, headers: .bearer(bob)).decode(HistoryPage.self)
            #expect(bobSearch.items.isEmpty)
            // Alice sees hers.
            let aliceHistory = try await client.execute(uri: "/v1/history?q=alice", method: .get, headers: .bearer(alice)).decode(HistoryPage.self)
            #expect(aliceHistory.items.map(\.answerID) == [id])
            #expect(try await client.execute(uri: "/v1/answers/\(id)", method: .get, headers: .bearer(alice)).status == .ok)
            // The audit export is the auditor's alone.
            let denied = try await client.execute(uri: "/v1/audit", method: .get, headers: .bearer(bob))
            #expect(denied.status == .forbidden && denied.errorCode == "forbidden")
        }
    }

    @Test func aCachedAnswerServesAnotherSubjectUnderTheirOwnRecord() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        let bob = try await test.token("bob")
        try await test.app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(alice), body: queryBody()).decode(Answer.self)
            let cached = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(bob), body: queryBody())
            #expect(cached.headers[.xCache] == "hit")
            let served = try cached.decode(Answer.self)
            #expect(inference.calls == 1 && served.cached && served.answer == first.answer)
            let bobsID = try #require(served.answerID)
            #expect(bobsID != first.answerID)
            // Bob's own record: in his history, replayable by him, and not by alice.
            let history = try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(bob)).decode(HistoryPage.self)
            #expect(history.items.map(\.answerID) == [bobsID])
            #expect(try await client.execute(uri: "/v1/answers/\(bobsID)", method: .get, headers: .bearer(bob)).status == .ok)
            #expect(try await client.execute(uri: "/v1/answers/\(bobsID)", method: .get, headers: .bearer(alice)).status == .notFound)
            // A second hit reuses his record.
            let again = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(bob), body: queryBody()).decode(Answer.self)
            #expect(again.answerID == bobsID)
            let aliceAgain = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(alice), body: queryBody()).decode(Answer.self)
            #expect(aliceAgain.answerID == first.answerID)
        }
        #expect(try await test.database.history(subject: "bob").count == 1)
        #expect(try await test.database.history(subject: "alice").count == 1)
    }

    @Test func theAuditorExportsEveryoneAsJSONLinesAndCSV() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        let bob = try await test.token("bob")
        let auditor = try await test.gateway.issuer.mint(subject: "compliance", ttl: 3600, roles: ["auditor"])
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(alice), body: queryBody("alice, \"quoted\" question?"))
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(bob), body: queryBody("bob question about sepsis"))
            let jsonl = try await client.execute(uri: "/v1/audit?format=jsonl", method: .get, headers: .bearer(auditor))
            #expect(jsonl.status == .ok && jsonl.headers[.contentType]?.hasPrefix("application/jsonl") == true)
            let rows = jsonl.text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(rows.count == 2)
            #expect(Set(rows.compactMap { $0?["subject"] as? String }) == ["alice", "bob"])
            #expect(rows.allSatisfy { ($0?["hash"] as? String)?.count == 64 })

            let onlyBob = try await client.execute(uri: "/v1/audit?subject=bob&format=csv", method: .get, headers: .bearer(auditor))
            let lines = onlyBob.text.split(separator: "\r\n")
            #expect(onlyBob.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(lines.first == Substring(AuditExport.csvColumns.joined(separator: ",")))
            #expect(lines.count == 2 && lines[1].contains("bob question about sepsis"))

            let csv = try await client.execute(uri: "/v1/audit?format=csv&subject=alice", method: .get, headers: .bearer(auditor)).text
            #expect(csv.contains(#""alice, ""quoted"" question?""#))

            let future = try await client.execute(uri: "/v1/audit?since=2099-01-01", method: .get, headers: .bearer(auditor))
            #expect(future.status == .ok && future.text.isEmpty)
            for bad in ["since=yesterday", "format=xml", "until=x"] {
                let r = try await client.execute(uri: "/v1/audit?\(bad)", method: .get, headers: .bearer(auditor))
                #expect(r.status == .badRequest, "\(bad)")
            }
        }
    }

    @Test func headWritesNoAuditRow() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token("alice")
        try await test.app.test(.router) { client in
            let a = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()).decode(Answer.self)
            let before = try await test.database.auditRecords(AuditQuery(limit: 100)).count
            let head = try await client.execute(uri: "/v1/answers/\(a.answerID ?? "")", method: .head, headers: .bearer(token))
            #expect(head.status == .ok)
            #expect(try await test.database.auditRecords(AuditQuery(limit: 100)).count == before)
        }
    }

    @Test func aStreamIsOnTheRecordBeforeItsFirstByteAndCompletedAfter() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token("alice")
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody())
            #expect(r.status == .ok)
            guard case .done(let answer) = try answerEvents(r.text).last else {
                Issue.record("no done")
                return
            }
            let rows = try await test.database.auditRecords(AuditQuery()) // oldest first
            #expect(rows.map(\.outcome) == ["streaming", "answered"])
            #expect(rows[0].answerID == answer.answerID && rows[1].answerID == answer.answerID)
            #expect(rows[1].refID == rows[0].id)
        }
        #expect(try await test.database.verifyAuditChain() == 2)
    }

    @Test func aStreamThatCannotWriteItsAuditRowSendsNoAnswerText() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference(), busyTimeout: 0.3)
        defer { test.cleanup() }
        let token = try await test.token("alice")
        // Another connection holds the write lock past the busy timeout.
        let blocker = try BedsideDatabase(path: test.database.path, busyTimeout: 0.1)
        defer { try? blocker.close() }
        // Take the write lock on a thread of its own and hold it until the request is done.
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        // Resumed exactly once, also when the lock cannot be taken (else the test would hang).
        try await withCheckedThrowingContinuation { (locked: CheckedContinuation<Void, any Error>) in
            Thread {
                var resumed = false
                do {
                    try blocker.pool.writeWithoutTransaction { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        resumed = true
                        locked.resume()
                        _ = release.wait(timeout: .now() + 120) // released as soon as the request is done
                        try db.execute(sql: "ROLLBACK")
                    }
                } catch {
                    if !resumed { locked.resume(throwing: error) }
                }
                finished.signal()
            }.start()
        }
        let locked = try await test.app.test(.router) { client -> (HTTPResponse.Status, String, String?) in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody())
            return (r.status, r.text, r.errorCode)
        }
        release.signal()
        // Waited for off the cooperative pool, with a deadline.
        let rolledBack = try await RawSocket.run { finished.wait(timeout: .now() + 30) == .success }
        #expect(rolledBack, "the lock holder did not roll back within 30 s")
        #expect(locked.0 == .serviceUnavailable)
        #expect(locked.2 == "database_locked")
        #expect(!locked.1.contains("antibiotics"))
        #expect(!locked.1.contains(test.folder))
        #expect(try await test.database.auditRecords(AuditQuery(limit: 10)).isEmpty)
    }

    @Test func anEditedAuditRowBreaksTheChainThere() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token("alice")
        try await test.app.test(.router) { client in
            for i in 0..<4 {
                _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("question \(i) sepsis"))
            }
        }
        #expect(try await test.database.verifyAuditChain() == 4)
        // Append-only: a plain UPDATE or DELETE is refused.
        #expect(throws: (any Error).self) {
            try test.database.pool.write { db in try db.execute(sql: "UPDATE audit SET subject = 'x' WHERE id = 2") }
        }
        #expect(throws: (any Error).self) { try test.database.pool.write { db in try db.execute(sql: "DELETE FROM audit WHERE id = 2") } }
        // A tamperer who drops the trigger is still caught, at the row they edited.
        try await test.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_append_only_update")
            try db.execute(sql: "UPDATE audit SET question = 'nothing to see' WHERE id = 3")
        }
        await #expect(throws: AuditChainBreak.self) { try await test.database.verifyAuditChain() }
        do { _ = try await test.database.verifyAuditChain() } catch let e as AuditChainBreak { #expect(e.rowID == 3) }
    }

    @Test func concurrentAuditRowsShareCommitsAndKeepOneChain() async throws {
        let folder = NSTemporaryDirectory() + "bedside-audit-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = try BedsideDatabase(path: folder + "/a.sqlite")
        defer { try? db.close() }
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await db.appendAudit(
                        AuditRecord(
                            subject: "s\(i % 7)", question: "q \(i)\u{0}nul kept", answerID: nil, sources: ["d#\(i)"],
                            model: "m", indexVersion: 1))
                }
            }
            var ids = Set<Int64>()
            for try await id in group { ids.insert(id) }
            #expect(ids.count == 200)
        }
        #expect(try await db.verifyAuditChain() == 200)
        #expect(try await db.auditRecords(AuditQuery(subject: "s3")).count == 29)
        #expect(try await db.auditRecords(AuditQuery()).contains { $0.question.contains("\u{FFFD}nul kept") })
    }

    @Test func aRevokedTokenIsRefusedWithinASecondCachedOrNot() async throws {
        let clock = ManualClock()
        let test = try await TestGateway.make(inference: ScriptedInference(), clock: clock)
        defer { test.cleanup() }
        let token = try await test.token("alice")
        let other = try await test.token("alice")
        try await test.app.test(.router) { client in
            // Now in the verified-token cache.
            #expect(try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)).status == .ok)
            let jti = try #require(try await test.database.issuedTokens(subject: "alice").first?.jti)
            // Revoked from another connection (as `bedside token revoke` does), by id.
            let cli = try BedsideDatabase(path: test.database.path)
            let target = try await test.database.issuedTokens(subject: "alice").map(\.jti)
            try await cli.revokeToken(jti: target.contains(jti) ? jti : target[0], at: clock.now)
            clock.advance(seconds: 0.6)
            let statuses = [
                try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)).status,
                try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(other)).status,
            ]
            #expect(statuses.filter { $0 == .unauthorized }.count == 1) // exactly the revoked one
            // Every token of the subject.
            try await cli.revokeSubject("alice", at: clock.now)
            try cli.close()
            clock.advance(seconds: 0.6)
            let r = try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(other))
            #expect(r.status == .unauthorized && r.errorMessage?.contains("revoked") == true)
            // A token minted after the revocation works.
            clock.advance(seconds: 2)
            let fresh = try await test.token("alice")
            #expect(try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(fresh)).status == .ok)
        }
        let listed = try await test.database.issuedTokens(subject: "alice")
        #expect(listed.filter { $0.revokedAt != nil }.count == 2)
    }

    @Test func tokenLifetimesAreBounded() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        await #expect(throws: BedsideError.self) { try await test.gateway.issuer.mint(subject: "a", ttl: 31 * 86_400) }
        await #expect(throws: BedsideError.self) { try await test.gateway.issuer.mint(subject: "a", ttl: 60, roles: ["admin"]) }
        // A token that lives longer than the gateway allows (minted elsewhere with the same secret) is refused.
        let long = try await test.gateway.issuer.mint(subject: "a", ttl: 90 * 86_400, maxTTL: 366 * 86_400)
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(long))
            #expect(r.status == .unauthorized)
        }
    }

    @Test func badQuestionsAndFiltersAreTheClientsAndNeverOpenTheBreaker() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token("alice")
        let bodies: [String] = [
            #"{"question":"sepsis\u0000 fluids"}"#, #"{"question":"sepsis \u001b[2J fluids"}"#, #"{"question":"dose \u202e gm 001"}"#,
            #"{"question":"dose \u2066 x"}"#, #"{"question":"fluids","filters":{"a\u0000b":"x"}}"#, #"{"question":"fluids","filters":{"":"x"}}"#,
            #"{"question":"fluids","filters":{"year; DROP":"x"}}"#, #"{"question":"fluids","filters":{"$.a":"x"}}"#,
        ]
        try await test.app.test(.router) { client in
            for body in bodies + bodies {
                let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: ByteBuffer(string: body))
                #expect(r.status == .badRequest, "\(body)")
                #expect(r.errorCode == "invalid_question" || r.errorCode == "bad_request")
                #expect(!r.text.contains(test.folder))
            }
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let ok = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("tab\tand newline\nare fine"))
            #expect(ok.status == .ok)
        }
        #expect(inference.calls == 1)
        #expect(await test.gateway.breaker.state == .closed)
    }

    @Test func databaseFilesArePrivateWhateverTheUmask() async throws {
        let folder = NSTemporaryDirectory() + "bedside-perm-" + UUID().uuidString + "/data"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let old = umask(0o002)
        defer { umask(old) }
        let db = try BedsideDatabase(path: folder + "/b.sqlite")
        try await db.appendAudit(AuditRecord(subject: "s", question: "q", answerID: nil, sources: [], model: "m", indexVersion: 0))
        #expect(PrivateFiles.mode(folder) == 0o700)
        for f in ["/b.sqlite", "/b.sqlite-wal", "/b.sqlite-shm"] { #expect(PrivateFiles.mode(folder + f) == 0o600, "\(f)") }
        try db.close()
    }

    @Test func theSecretIsRefusedWhenItIsALink() throws {
        let folder = NSTemporaryDirectory() + "bedside-secret-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let real = folder + "/real-secret"
        let secret = try SecretFile.loadOrCreate(path: real, randomBytes: SecretFile.systemRandomBytes)
        #expect(PrivateFiles.mode(real) == 0o600)
        #expect(try SecretFile.loadOrCreate(path: real, randomBytes: SecretFile.systemRandomBytes) == secret)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: real)
        #expect(throws: BedsideError.self) { try SecretFile.load(path: folder + "/link") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".gateway-secret") }
        #expect(leftovers.isEmpty)
    }

    @Test func aClientThatGoesAwayMidStreamIsRecordedAsDisconnected() async throws {
        let server = try await EdgeServer.start(inference: SlowInference(pieces: 40, delay: .milliseconds(50)))
        let port = server.port
        let token = server.token
        let body = #"{"question":"What is the first-line treatment for sepsis?"}"#
        let request =
            "POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nAccept: text/event-stream\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        let sawText = try await RawSocket.run { () -> Bool in
            let socket = try RawSocket(port: port)
            try socket.send(request)
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(10)
            // Each read waits at most until the deadline: a server that stops sending fails the test.
            while let chunk = socket.receiveSome(timeout: deadline.timeIntervalSinceNow), !chunk.isEmpty {
                received += chunk
                if String(decoding: received, as: UTF8.self).contains("event: delta") { return true }
            }
            return false
        } // the socket closes here, mid-stream
        #expect(sawText)
        var rows: [AuditRecord] = []
        do {
            rows = try await Poll.until("a \"disconnected\" audit row", timeout: .seconds(10), every: .milliseconds(20)) { () -> [AuditRecord]? in
                let rows = try await server.database.auditRecords(AuditQuery())
                return rows.contains(where: { $0.outcome == "disconnected" }) ? rows : nil
            }
        } catch { Issue.record(error) }
        await server.stop()
        #expect(rows.first?.outcome == "streaming")
        let gone = try #require(rows.first { $0.outcome == "disconnected" })
        #expect(gone.refID == rows.first?.id && gone.subject == "dr.ada")
        #expect(gone.detail.hasPrefix("sent ") && !gone.detail.hasPrefix("sent 0 "))
    }
}
