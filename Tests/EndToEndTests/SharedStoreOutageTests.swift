import Core
import Foundation
import TestSupport
import Testing

/// PostgreSQL going away under a running `bedside serve --store`: nothing is shown that is not
/// on the record, the client gets a 503 it can retry (not a 500), `/readyz` turns 503 so a load
/// balancer routes around the instance, and answers come back once the server does.
@Suite(
    "A shared store that goes away",
    .enabled(
        if: PostgresCluster.available,
        "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)"))
struct SharedStoreOutageTests {
    @Test func unreachableStoreIs503AndUnreadyThenRecovers() async throws {
        // A cluster of its own: this test stops and restarts it.
        let cluster = try await PostgresCluster.start()
        defer { Task { await cluster.stop() } }
        let store = try await cluster.createDatabase(named: "outage")
        let scratch = try Scratch(prefix: "bedside-outage")
        defer { scratch.cleanup() }
        let env = ["BEDSIDE_SECRET_FILE": scratch.file("secret"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let server = try await ServerProcess.start(["--db", scratch.file("a.sqlite"), "--store", store], env: env)
        defer { server.kill() }
        let minted = try await Bin.run(["token", "create", "--store", store, "--subject", "dr-outage", "--ttl", "10m"], env: env)
        try #require(minted.status == 0, "token create: \(minted.stderr)")
        let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let question = "What is the first-line fluid bolus in septic shock?"
        #expect(try await HTTPReply.query(server.url, token: token, question: question).status == 200)
        #expect(try await HTTPReply.get(server.url + "/readyz", token: token).status == 200)

        let stopped = try await PostgresCluster.runScript(["stop", cluster.folder.path])
        try #require(stopped.status == 0, "stop: \(stopped.stderr)")

        // The cached answer is in this instance's memory, but it cannot be put on the record:
        // it is not shown. A new question cannot be saved either. Both: 503, retry later.
        for q in [question, "CURB-65 criteria"] {
            let reply = try await HTTPReply.query(server.url, token: token, question: q, timeout: 60)
            #expect(reply.status == 503, "\(q): \(reply.status) \(reply.text)")
            #expect(reply.text.contains("database_unavailable"), "\(reply.text)")
            #expect(!reply.text.contains("30 mL/kg"), "an answer was shown without its audit row: \(reply.text)")
            #expect((reply.header("Retry-After").flatMap { Int($0) } ?? 0) >= 1, "\(reply.headers)")
        }
        let unready = try await HTTPReply.get(server.url + "/readyz", token: token)
        #expect(unready.status == 503, "\(unready.text)")
        #expect(unready.text.contains("database_unavailable"), "\(unready.text)")
        #expect(server.isRunning)

        // Back on the same port: the pool reconnects and answers resume.
        let restarted = try await PostgresCluster.runScript(["start", cluster.folder.path])
        try #require(restarted.status == 0, "restart: \(restarted.stderr)")
        try #require(
            restarted.stdout.contains(URLComponents(string: store)?.port.map { ":\($0)/" } ?? "?"), "restarted on another port: \(restarted.stdout)")
        let recovered = try await Poll.until("answers after PostgreSQL is back", timeout: .seconds(60), every: .milliseconds(500)) { () -> Int? in
            let r = try? await HTTPReply.query(server.url, token: token, question: question)
            return r?.status == 200 ? 200 : nil
        }
        #expect(recovered == 200)
        #expect(try await HTTPReply.get(server.url + "/readyz", token: token).status == 200)
        let verify = try await Bin.run(["audit", "verify", "--store", store], env: env)
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }
}
