import Foundation
import TestSupport
import Testing

/// Issue 19 finding 8 (and finding 4 on PostgreSQL through the CLI): a second gateway on the
/// same PostgreSQL store with another token secret refuses to start, naming the fix; the
/// shared trail's truncated tail is named by `bedside audit verify --store`.
extension SharedGatewayTests {
    @Test func aGatewayWithAnotherSecretRefusesToStartAndATruncatedTrailIsNamed() async throws {
        let cluster = try PostgresCluster.running()
        let s = try Scratch(prefix: "bedside-secret")
        defer { s.cleanup() }
        let store = try await cluster.createDatabase(named: "secret")
        let first = ["BEDSIDE_SECRET_FILE": s.file("first-secret"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let a = try await ServerProcess.start(["--db", s.file("a.sqlite"), "--store", store], env: first)
        defer { a.kill() }
        let other = ["BEDSIDE_SECRET_FILE": s.file("other-secret"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let b = try await Bin.run(["serve", "--port", "0", "--db", s.file("b.sqlite"), "--store", store], env: other, timeout: .seconds(90))
        #expect(b.status != 0, "B started: \(b.stdout) \(b.stderr)")
        #expect(b.stderr.contains("another token secret") && b.stderr.contains("copy the secret file"), "stderr: \(b.stderr)")

        let token = try await Bin.run(["token", "create", "--store", store, "--subject", "dr-a", "--ttl", "10m"], env: first)
        try #require(token.status == 0, "token: \(token.stderr)")
        for q in Self.questions.prefix(3) {
            let r = try await HTTPReply.query(a.url, token: token.stdout.trimmingCharacters(in: .whitespacesAndNewlines), question: q)
            #expect(r.status == 200)
        }
        let tampered = try await cluster.psql(
            store, "ALTER TABLE audit DISABLE TRIGGER audit_append_only; DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)")
        try #require(tampered.status == 0, "psql: \(tampered.stderr)")
        let verify = try await Bin.run(["audit", "verify", "--store", store])
        #expect(verify.status == 1, "verify: \(verify.stdout) \(verify.stderr)")
        #expect(verify.stderr.contains("row 3 is missing at the end (deleted)"), "stderr: \(verify.stderr)")
    }
}
