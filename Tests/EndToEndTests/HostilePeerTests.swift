import Core
import Foundation
import TestSupport
import Testing

/// `bedside serve --inference grpc://…` in front of a hostile Python peer (scripts/rag_peer.py
/// `hostile=…`): a 3 MB citation, 20,000 citations, NaN and infinite scores, terminal escapes,
/// and a reply just within the default caps (the most checking work a peer can cause). Before
/// issue 19 the 3 MB citation took minutes to check and froze the whole gateway, `/healthz`
/// included; a NaN score became a 503 `inference_unavailable`.
@Suite("Hostile gRPC RAG peer end to end")
struct HostilePeerTests {
    /// The gateway's inference deadline in this test: every request must end within it.
    static let deadline = 10.0

    @Test func hostileRepliesAreRefusedWithinTheDeadlineAndHealthzStaysFast() async throws {
        guard let python = await RAGPeer.requiredPython() else { return }
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("g.sqlite")
        let control = s.file("peer-control")
        let port = try freeLoopbackPort()
        let peer = try await RAGPeer.start(python: python, port: port, control: control)
        defer { peer.kill() }
        let ingest = try await Bin.run(["ingest", "--db", db, Bin.demoCorpus + "/anaphylaxis.md"])
        try #require(ingest.status == 0, "ingest: \(ingest.stderr)")
        // No breaker in the way: every hostile reply must reach the checks.
        let env = ["BEDSIDE_INFERENCE_TIMEOUT": "\(Int(Self.deadline))", "BEDSIDE_CIRCUIT_FAILURES": "10000"]
        let server = try await ServerProcess.start(["--db", db, "--inference", "grpc://127.0.0.1:\(port)"], env: env)
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "dr-hostile", "--ttl", "10m"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let http = HTTPProbe(base: server.url, token: token, scratch: s)

        // /healthz, timed by curl, over and over while the hostile replies are being handled.
        let healthURL = server.url + "/healthz"
        let prober = Task { () -> [Double] in
            var seconds: [Double] = []
            while !Task.isCancelled {
                guard let r = try? await Shell.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", healthURL]) else { break }
                let parts = r.stdout.split(separator: " ")
                if parts.first == "200", parts.count == 2, let t = Double(parts[1]) {
                    seconds.append(t)
                } else if !Task.isCancelled {
                    Issue.record("/healthz: \(r.stdout) \(r.stderr)")
                }
            }
            return seconds
        }

        // Each kind of reply to a few questions at once; each ends within the deadline.
        let kinds: [(kind: String, status: Int, code: String?, concurrent: Int)] = [
            ("huge", 502, "upstream_error", 3), ("many", 502, "upstream_error", 3), ("nan", 502, "upstream_error", 3),
            ("escapes", 200, nil, 3), ("heavy", 200, nil, 2),
        ]
        for (kind, status, code, concurrent) in kinds {
            try "hostile=\(kind)\n".write(toFile: control, atomically: true, encoding: .utf8)
            let replies = try await withThrowingTaskGroup(of: (HTTPProbe.Reply, Double).self) { group in
                for i in 0..<concurrent {
                    group.addTask {
                        let started = ContinuousClock.now
                        // A question of its own each time: no cached or stale answer stands in for the peer's.
                        let reply = try await http.query("What is the IM adrenaline dose? (\(kind) \(i) \(UUID().uuidString))")
                        return (reply, (ContinuousClock.now - started) / .seconds(1))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for (reply, seconds) in replies {
                #expect(reply.status == status, "\(kind): \(reply.status) \(reply.body.prefix(300))\nlog: \(server.output.suffix(2000))")
                if let code { #expect(reply.body.contains("\"\(code)\""), "\(kind): \(reply.body.prefix(300))") }
                #expect(seconds < Self.deadline, "\(kind): answered after \(seconds) s, past the \(Self.deadline) s deadline")
                #expect(!reply.body.utf8.contains(0x1B), "\(kind): a raw ESC in the body")
            }
        }
        prober.cancel()
        let health = try await prober.value.sorted()
        try #require(health.count >= 5, "too few /healthz probes: \(health)")
        let p99 = health[min(health.count - 1, Int((Double(health.count) * 0.99).rounded(.up)) - 1)]
        print(
            "hostile peer: /healthz \(health.count) probes, median \(health[health.count / 2] * 1000) ms, p99 \(p99 * 1000) ms, max \((health.last ?? 0) * 1000) ms"
        )
        // This bound is the point of the test: whatever a peer sends, the gateway stays responsive
        // (before issue 19, /healthz did not answer for about 5.5 minutes).
        #expect(p99 < 0.050, "/healthz p99 \(p99 * 1000) ms under hostile replies: \(health.suffix(5))")
    }
}
