import Core
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Issue 12: two `bedside serve` processes on one PostgreSQL (`--store postgres://…`), each
/// with its own SQLite copy of the demo corpus and the same HS256 secret file. Limits hold
/// across both, the cache, history and audit chain are one, and `kill -9` of one loses no
/// audit row of a response a client received while the other keeps answering.
///
/// One throwaway loopback cluster (`scripts/pg-cluster.sh`) for the suite, a fresh database
/// per test. Skipped when no PostgreSQL server binaries exist in /usr/lib/postgresql/*/bin
/// (`BEDSIDE_REQUIRE_POSTGRES=1` turns the skip into a failure).
@Suite(
    "Two gateways on one PostgreSQL",
    .enabled(
        if: PostgresCluster.available,
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)"),
    .postgresCluster)
struct SharedGatewayTests {
    static let questions = [
        "What is the first-line fluid bolus in septic shock?", "CURB-65 criteria", "What is the IM adrenaline dose in anaphylaxis?",
        "Target MAP in septic shock", "CHA2DS2-VASc in atrial fibrillation",
    ]

    /// (a) A burst split across both instances, all at once, spends one bucket: exactly
    /// `capacity` answers between them, every other request 429 with Retry-After.
    @Test func burstSplitAcrossBothGetsExactlyCapacity() async throws {
        let capacity = 8
        let pair = try await GatewayPair.start(
            "burst", ["--rate-limit", String(capacity), "--rate-refill", "0.000001"])
        defer { pair.kill() }
        let token = try await pair.token("dr-burst")
        let total = 3 * capacity
        let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
            for i in 0..<total {
                let server = i % 2 == 0 ? pair.a : pair.b
                group.addTask { (i, try await HTTPReply.query(server.url, token: token, question: Self.questions[i % Self.questions.count])) }
            }
            var all: [(Int, HTTPReply)] = []
            for try await r in group { all.append(r) }
            return all
        }
        let ok = replies.filter { $0.1.status == 200 }
        let limited = replies.filter { $0.1.status == 429 }
        #expect(ok.count == capacity, "200s: \(ok.count) of \(total) (the two instances must share one bucket)")
        #expect(limited.count == total - capacity, "statuses: \(replies.map { $0.1.status }.sorted())")
        for (_, r) in limited {
            #expect((r.header("Retry-After").flatMap { Int($0) } ?? 0) >= 1, "429 without a Retry-After: \(r.headers)")
            #expect(r.text.contains("rate_limited"), "body: \(r.text)")
        }
        // The bucket stays empty on both instances afterwards.
        for server in [pair.a, pair.b] {
            let after = try await HTTPReply.query(server.url, token: token, question: Self.questions[0])
            #expect(after.status == 429, "\(server.url): \(after.status) \(after.text)")
        }
        // Another subject has a bucket of its own.
        let other = try await pair.token("dr-other")
        #expect(try await HTTPReply.query(pair.b.url, token: other, question: Self.questions[1]).status == 200)
    }

    /// (b) An answer cached through one instance is served `cached: true` through the other:
    /// under the same id to its subject, under an id of their own (readable on either) to another.
    @Test func answerCachedThroughOneIsServedCachedThroughTheOther() async throws {
        let pair = try await GatewayPair.start("cache", GatewayPair.unlimited)
        defer { pair.kill() }
        let ada = try await pair.token("dr-ada")
        let question = "What is the first-line fluid bolus in septic shock?"
        let first = try await HTTPReply.query(pair.a.url, token: ada, question: question)
        try #require(first.status == 200, "A: \(first.text)\n\(pair.a.output)")
        let fresh = try first.json()
        #expect(fresh["cached"] as? Bool == false)
        #expect(first.header("X-Bedside-Cache") == "miss")

        let second = try await HTTPReply.query(pair.b.url, token: ada, question: question)
        try #require(second.status == 200, "B: \(second.text)\n\(pair.b.output)")
        let cached = try second.json()
        #expect(cached["cached"] as? Bool == true, "B: \(second.text)")
        #expect(cached["stale"] as? Bool == false)
        #expect(second.header("X-Bedside-Cache") == "hit")
        #expect(cached["answer"] as? String == fresh["answer"] as? String)
        #expect(cached["answer_id"] as? String == fresh["answer_id"] as? String, "the subject who asked keeps the answer's id")
        let sources = { (o: [String: Any]) in ((o["citations"] as? [[String: Any]]) ?? []).compactMap { $0["source_id"] as? String } }
        #expect(!sources(fresh).isEmpty)
        #expect(sources(cached) == sources(fresh))

        // The cited passages open through B: each instance's copy of the corpus has the same chunk ids.
        for citation in (cached["citations"] as? [[String: Any]] ?? []).prefix(2) {
            let chunk = try #require(citation["chunk_id"] as? Int)
            let source = try await HTTPReply.get(pair.b.url + "/v1/sources/\(chunk)", token: ada)
            #expect(source.status == 200, "B: \(source.text)")
            #expect(try source.json()["document_id"] as? String == citation["source_id"] as? String)
        }

        // Another subject through B: served from the cache under an id of their own, which A replays.
        let bo = try await pair.token("dr-bo")
        let third = try await HTTPReply.query(pair.b.url, token: bo, question: question)
        try #require(third.status == 200, "B: \(third.text)")
        let copy = try third.json()
        #expect(copy["cached"] as? Bool == true)
        let copyID = try #require(copy["answer_id"] as? String)
        #expect(copyID != fresh["answer_id"] as? String)
        let replay = try await HTTPReply.get(pair.a.url + "/v1/answers/" + copyID, token: bo)
        #expect(replay.status == 200, "A: \(replay.text)")
        #expect(try replay.json()["answer"] as? String == fresh["answer"] as? String)
    }

    /// (c) Both instances append to one hash chain: `audit verify --store` accepts it and the
    /// export holds a row for every request either instance answered.
    @Test func bothInstancesWriteOneAuditChain() async throws {
        let pair = try await GatewayPair.start("audit", GatewayPair.unlimited)
        defer { pair.kill() }
        let token = try await pair.token("dr-audit")
        let perInstance = 12
        let replies = try await withThrowingTaskGroup(of: (String, HTTPReply).self) { group in
            for i in 0..<(2 * perInstance) {
                let (name, server) = i % 2 == 0 ? ("a", pair.a) : ("b", pair.b)
                group.addTask {
                    let r = try await HTTPReply.query(
                        server.url, token: token, question: Self.questions[i % Self.questions.count], noCache: i % 3 == 0,
                        requestID: "sg-audit-\(name)-\(i)")
                    return (name, r)
                }
            }
            var all: [(String, HTTPReply)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(replies.allSatisfy { $0.1.status == 200 }, "statuses: \(replies.map { $0.1.status })")
        let fromA = Set(replies.filter { $0.0 == "a" }.compactMap { $0.1.header("X-Request-ID") })
        let fromB = Set(replies.filter { $0.0 == "b" }.compactMap { $0.1.header("X-Request-ID") })
        #expect(fromA.count == perInstance && fromB.count == perInstance)

        let verify = try await Bin.run(["audit", "verify", "--store", pair.store])
        #expect(verify.status == 0, "verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stdout.contains("audit chain ok"), "verify: \(verify.stdout)")
        let audited = try await pair.auditedRequestIDs()
        #expect(fromA.subtracting(audited).isEmpty, "A's requests without an audit row: \(fromA.subtracting(audited))")
        #expect(fromB.subtracting(audited).isEmpty, "B's requests without an audit row: \(fromB.subtracting(audited))")

        // The trail is append-only in PostgreSQL too; a tamperer who disables the trigger is named by verify.
        let cluster = try PostgresCluster.running()
        let refused = try await cluster.psql(pair.store, "UPDATE audit SET question = 'edited' WHERE id = 3")
        #expect(refused.status != 0 && refused.stderr.contains("append-only"), "psql: \(refused.stderr)")
        let edited = try await cluster.psql(
            pair.store, "ALTER TABLE audit DISABLE TRIGGER audit_append_only; UPDATE audit SET question = 'edited' WHERE id = 3")
        try #require(edited.status == 0, "psql: \(edited.stderr)")
        let broken = try await Bin.run(["audit", "verify", "--store", pair.store])
        #expect(broken.status == 1, "verify after an edit: \(broken.stdout) \(broken.stderr)")
        #expect(broken.stderr.contains("row 3"), "stderr: \(broken.stderr)")
    }

    /// (d) `kill -9` of one instance while a client hammers both: every 200 the client received
    /// (from either) has its audit row, the chain verifies, and the other instance keeps answering.
    @Test func killMinusNineOfOneUnderLoadLosesNoAuditRow() async throws {
        let pair = try await GatewayPair.start("kill", GatewayPair.unlimited)
        defer { pair.kill() }
        let token = try await pair.token("dr-load")
        let received = Locked<[String]>([]) // X-Request-ID of every 200 received
        let okCount = Locked<[String: Int]>([:]) // 200s per instance
        let failuresOnB = Locked<[String]>([])
        let stop = Locked(false)
        let killed = Locked(false)
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    let (name, server) = worker % 2 == 0 ? ("a", pair.a) : ("b", pair.b)
                    group.addTask {
                        var i = worker
                        var failures = 0
                        var sent = 0
                        while !stop.current, failures < 20 {
                            i += 6
                            sent += 1
                            let r = try? await HTTPReply.query(
                                server.url, token: token, question: Self.questions[i % Self.questions.count], noCache: sent % 4 == 0,
                                requestID: "sg-kill-\(name)-\(i)", timeout: 15)
                            if let r, r.status == 200, let id = r.header("X-Request-ID") {
                                received.withLock { $0.append(id) }
                                okCount.withLock { $0[name, default: 0] += 1 }
                            } else {
                                failures += 1
                                if name == "b" { failuresOnB.withLock { $0.append(r.map { "\($0.status) \($0.text)" } ?? "no response") } }
                                if name == "a", killed.current {
                                    try? await Task.sleep(for: .milliseconds(20)) // A is gone: stop soon, without spinning
                                }
                            }
                        }
                    }
                }
            }
        }
        // Load on both for a while, then kill A without warning while requests are in flight.
        let warm =
            (try? await Poll.until("30 answers from each instance", timeout: .seconds(30)) {
                okCount.withLock { ($0["a"] ?? 0) >= 30 && ($0["b"] ?? 0) >= 30 }
            }) != nil
        #expect(warm, "load too light: \(okCount.current)")
        await pair.a.stop(signal: SIGKILL)
        killed.withLock { $0 = true }
        let bAtKill = okCount.current["b"] ?? 0
        let kept =
            (try? await Poll.until("B to keep answering after A was killed", timeout: .seconds(20)) {
                (okCount.current["b"] ?? 0) >= bAtKill + 30
            }) != nil
        stop.withLock { $0 = true }
        await load.value
        #expect(kept, "B answered \((okCount.current["b"] ?? 0) - bAtKill) after the kill")
        #expect(failuresOnB.current.isEmpty, "B failed \(failuresOnB.current.count) times: \(failuresOnB.current.prefix(3))")
        let ids = Set(received.current)

        let verify = try await Bin.run(["audit", "verify", "--store", pair.store])
        #expect(verify.status == 0, "verify: \(verify.stdout) \(verify.stderr)")
        let audited = try await pair.auditedRequestIDs()
        let missing = ids.subtracting(audited)
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) responses received without an audit row: \(missing.prefix(5))")
        // B still answers once the load is over.
        let after = try await HTTPReply.query(pair.b.url, token: token, question: "How is hyperkalaemia treated?")
        #expect(after.status == 200, "B: \(after.text)")
    }

    /// (e) History is the subject's own on every instance: A's answer id, fetched by another
    /// subject through B, is a 404; its owner reads it through B.
    @Test func historyIsPrivateAcrossInstances() async throws {
        let pair = try await GatewayPair.start("history", GatewayPair.unlimited)
        defer { pair.kill() }
        let alice = try await pair.token("alice")
        let bob = try await pair.token("bob")
        let question = "What is the IM adrenaline dose in anaphylaxis?"
        let asked = try await HTTPReply.query(pair.a.url, token: alice, question: question)
        try #require(asked.status == 200, "A: \(asked.text)")
        let id = try #require(try asked.json()["answer_id"] as? String)

        let theirs = try await HTTPReply.get(pair.b.url + "/v1/answers/" + id, token: bob)
        #expect(theirs.status == 404, "bob read alice's answer through B: \(theirs.status) \(theirs.text)")
        let unknownID = UUID().uuidString.lowercased()
        let unknown = try await HTTPReply.get(pair.b.url + "/v1/answers/" + unknownID, token: bob)
        #expect(unknown.status == 404)
        #expect(
            theirs.text.replacingOccurrences(of: id, with: "ID") == unknown.text.replacingOccurrences(of: unknownID, with: "ID"),
            "another's id must look like a missing one")

        let own = try await HTTPReply.get(pair.b.url + "/v1/answers/" + id, token: alice)
        #expect(own.status == 200, "alice through B: \(own.status) \(own.text)")
        #expect(try own.json()["question"] as? String == question)

        let aliceHistory = try await HTTPReply.get(pair.b.url + "/v1/history", token: alice)
        #expect(aliceHistory.status == 200)
        #expect(aliceHistory.text.contains(id), "alice's history through B: \(aliceHistory.text)")
        let bobHistory = try await HTTPReply.get(pair.b.url + "/v1/history", token: bob)
        #expect(bobHistory.status == 200)
        #expect(!bobHistory.text.contains(id) && !bobHistory.text.contains("adrenaline"), "bob's history: \(bobHistory.text)")
        let bobSync = try await HTTPReply.get(pair.a.url + "/v1/answers", token: bob)
        #expect(bobSync.status == 200)
        #expect(!bobSync.text.contains(id), "bob's sync through A: \(bobSync.text)")
    }
}

// MARK: - Two gateways on one store

/// Two `bedside serve` on a fresh database of the suite's cluster, each with its own SQLite
/// file (the demo corpus ingested at start), sharing one HS256 secret file.
struct GatewayPair: Sendable {
    static let unlimited = ["--rate-limit", "1000000", "--rate-refill", "1000000"]

    let scratch: Scratch
    let store: String
    let secret: String
    let a: ServerProcess
    let b: ServerProcess

    var env: [String: String] { ["BEDSIDE_SECRET_FILE": secret] }

    /// Creates database `name` (unique per call) and starts both instances on it at once
    /// (so they also race to migrate the empty schema, as a fleet starting together would).
    static func start(_ name: String, _ args: [String]) async throws -> GatewayPair {
        let cluster = try PostgresCluster.running()
        let scratch = try Scratch(prefix: "bedside-shared-\(name)")
        do {
            let store = try await cluster.createDatabase(named: name)
            let secret = scratch.file("shared-secret")
            let env = ["BEDSIDE_SECRET_FILE": secret, "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
            async let first = ServerProcess.start(["--db", scratch.file("a.sqlite"), "--store", store] + args, env: env)
            async let second = ServerProcess.start(["--db", scratch.file("b.sqlite"), "--store", store] + args, env: env)
            let (a, b) = try await (first, second)
            return GatewayPair(scratch: scratch, store: store, secret: secret, a: a, b: b)
        } catch {
            scratch.cleanup()
            throw error
        }
    }

    /// A token for `subject`, minted against the shared store with the shared secret.
    func token(_ subject: String) async throws -> String {
        let r = try await Bin.run(["token", "create", "--store", store, "--subject", subject, "--ttl", "10m"], env: env)
        guard r.status == 0 else { throw TestError("token create failed (\(r.status)): \(r.stderr)") }
        let token = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.split(separator: ".").count == 3 else { throw TestError("not a JWT: \(r.stdout)") }
        return token
    }

    /// The request ids in `bedside audit --store … --format jsonl`.
    func auditedRequestIDs() async throws -> Set<String> {
        let export = try await Bin.run(["audit", "--store", store, "--format", "jsonl"], env: env)
        guard export.status == 0 else { throw TestError("audit export failed (\(export.status)): \(export.stderr)") }
        return Set(
            export.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["request_id"] as? String
            })
    }

    func kill() {
        a.kill()
        b.kill()
        scratch.cleanup()
    }
}

// MARK: - HTTP

/// One request and its whole response, through URLSession.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    func json() throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: body) as? [String: Any] else { throw TestError("not a JSON object: \(text)") }
        return o
    }

    static let session = URLSession(configuration: .ephemeral)

    static func query(
        _ base: String, token: String, question: String, noCache: Bool = false, requestID: String? = nil, timeout: TimeInterval = 30
    ) async throws -> HTTPReply {
        guard let url = URL(string: base + "/v1/query") else { throw TestError("bad URL \(base)") }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = timeout
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if noCache { request.setValue("no-cache", forHTTPHeaderField: "Cache-Control") }
        if let requestID { request.setValue(requestID, forHTTPHeaderField: "X-Request-ID") }
        request.httpBody = Data(JSONText.query(question).utf8)
        return try await send(request)
    }

    static func get(_ address: String, token: String) async throws -> HTTPReply {
        guard let url = URL(string: address) else { throw TestError("bad URL \(address)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return try await send(request)
    }

    private static func send(_ request: URLRequest) async throws -> HTTPReply {
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw TestError("not an HTTP response") }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { headers[k] = v }
        }
        return HTTPReply(status: http.statusCode, headers: headers, body: data)
    }
}
