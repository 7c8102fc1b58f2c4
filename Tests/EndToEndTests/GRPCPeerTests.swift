import Core
import Foundation
import TestSupport
import Testing

/// `bedside serve --inference grpc://…` in front of the real Python peer (scripts/rag_peer.py,
/// grpcio): an answer with its citations, the peer killed (stale answer from the cache), the
/// peer slowed past the deadline (503 with Retry-After), the circuit breaker opening and closing.
@Suite("gRPC RAG service end to end")
struct GRPCPeerTests {
    @Test func answersThenStaleThenDeadlineThenBreaker() async throws {
        guard let python = await RAGPeer.requiredPython() else { return }
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("g.sqlite")
        let control = s.file("peer-control")
        let port = try freeLoopbackPort()
        var peer = try await RAGPeer.start(python: python, port: port, control: control)
        defer { peer.kill() }

        // One document of the demo corpus in the gateway's own index: its citations link to it.
        let ingest = try await Bin.run(["ingest", "--db", db, Bin.demoCorpus + "/anaphylaxis.md"])
        try #require(ingest.status == 0, "ingest: \(ingest.stderr)")
        let env = [
            "BEDSIDE_INFERENCE_TIMEOUT": "1", "BEDSIDE_CIRCUIT_FAILURES": "3", "BEDSIDE_CIRCUIT_COOL_DOWN": "2",
            "BEDSIDE_STATUS_CACHE_TTL": "1h",
        ]
        let server = try await ServerProcess.start(["--db", db, "--inference", "grpc://127.0.0.1:\(port)"], env: env)
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "dr-grpc", "--ttl", "10m"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let http = HTTPProbe(base: server.url, token: token, scratch: s)

        // 1. An answer with its citations; the anaphylaxis passages link to the local index, others carry their text.
        let first = try await http.query("What is the IM adrenaline dose in anaphylaxis?")
        try #require(first.status == 200, "body: \(first.body)\nlog: \(server.output)")
        let answer = try first.json()
        #expect(answer["model"] as? String == "rag.RAGService")
        #expect(answer["stale"] as? Bool == false)
        let citations = try #require(answer["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty)
        #expect(citations.allSatisfy { ($0["text"] as? String)?.isEmpty == false })
        let linked = citations.filter { $0["source_id"] as? String == "anaphylaxis" }
        #expect(!linked.isEmpty)
        #expect(linked.allSatisfy { ($0["chunk_id"] as? Int ?? 0) > 0 })
        #expect((answer["answer"] as? String)?.contains("[1]") == true)
        let other = try await http.query("What is the first-line fluid bolus in septic shock?")
        try #require(other.status == 200, "body: \(other.body)")
        let unlinked = try #require(try other.json()["citations"] as? [[String: Any]]).filter { $0["source_id"] as? String != "anaphylaxis" }
        #expect(!unlinked.isEmpty)
        #expect(unlinked.allSatisfy { $0["chunk_id"] as? Int == 0 && ($0["text"] as? String)?.isEmpty == false })
        // Each text-only citation is its own document: a source id of its own, offsets into its own text.
        let ids = unlinked.compactMap { $0["source_id"] as? String }
        #expect(Set(ids).count == unlinked.count, "ids: \(ids)")
        #expect(unlinked.allSatisfy { ($0["end"] as? Int) == ($0["text"] as? String)?.utf8.count && $0["start"] as? Int == 0 })
        // Every sentence the peer wrote quotes its passage: checked, supported, with spans.
        let checked = try #require(try other.json()["sentences"] as? [[String: Any]])
        #expect(!checked.isEmpty && checked.allSatisfy { $0["unsupported"] as? Bool == false && ($0["spans"] as? [Any])?.isEmpty == false })

        // 1b. The peer adds a sentence its citation does not back (a dose no passage states): it never
        // reaches the client as part of the answer, in JSON or in the stream; it is listed as removed.
        let invented = "Give 75 mg of intravenous vasopressin every 2 minutes"
        try "append=\(invented) [1].\n".write(toFile: control, atomically: true, encoding: .utf8)
        let checkedReply = try await http.query("What is the IM adrenaline dose for adults?", noCache: true)
        try #require(checkedReply.status == 200, "body: \(checkedReply.body)")
        let checkedAnswer = try checkedReply.json()
        #expect(checkedAnswer["refused"] as? Bool == false)
        #expect((checkedAnswer["answer"] as? String)?.contains("75 mg") == false, "\(checkedAnswer)")
        let shown = try #require(checkedAnswer["sentences"] as? [[String: Any]])
        #expect(!shown.isEmpty && !shown.contains { ($0["text"] as? String)?.contains("75 mg") == true })
        let removed = try #require(checkedAnswer["removed_sentences"] as? [[String: Any]])
        #expect(removed.contains { ($0["text"] as? String)?.hasPrefix(invented) == true }, "removed: \(removed)")
        let stream = try await http.query("What is the IM adrenaline dose for an adult?", noCache: true, accept: "text/event-stream")
        try #require(stream.status == 200, "body: \(stream.body)")
        var parser = ServerSentEventParser()
        let events = parser.feed(stream.body)
        #expect(events.contains { $0.event == "delta" } && events.last?.event == "done", "stream: \(stream.body)")
        for e in events where e.event != "done" { #expect(!e.data.contains("75 mg"), "\(e.event ?? ""): \(e.data)") }
        let done = try #require(events.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] })
        #expect((done["answer"] as? String)?.contains("75 mg") == false)
        // Only that sentence from the peer: nothing supported is left, so the gateway refuses as in process.
        try "replace=\(invented) [1].\n".write(toFile: control, atomically: true, encoding: .utf8)
        let refusedReply = try await http.query("What is the IM adrenaline dose for a grown-up?", noCache: true)
        try #require(refusedReply.status == 200, "body: \(refusedReply.body)")
        let refusal = try refusedReply.json()
        #expect(refusal["refused"] as? Bool == true)
        #expect((refusal["answer"] as? String)?.contains("will not guess") == true, "\(refusal)")
        #expect((refusal["citations"] as? [Any])?.isEmpty == true)
        #expect((refusal["nearest_sources"] as? [Any])?.isEmpty == false)
        try "".write(toFile: control, atomically: true, encoding: .utf8)

        // 2. The peer killed: the same question (cache bypassed) is answered stale from the cache.
        await peer.stop()
        let stale = try await http.query("What is the IM adrenaline dose in anaphylaxis?", noCache: true)
        #expect(stale.status == 200, "body: \(stale.body)")
        #expect(try stale.json()["stale"] as? Bool == true)

        // 3. The peer back but slower than the deadline: a new question gets 503 (timeout) with Retry-After.
        // (Until the client has reconnected, a call fails at once as unavailable: also a 503, so poll for the timeout.)
        try "delay=3\n".write(toFile: control, atomically: true, encoding: .utf8)
        peer = try await RAGPeer.start(python: python, port: port, control: control)
        let slow = try await Poll.until("a 503 past the deadline", timeout: .seconds(20), every: .milliseconds(100)) { () -> HTTPProbe.Reply? in
            let r = try await http.query("How is hyperkalaemia treated?")
            if r.status != 503 { throw TestError("expected 503, got \(r.status): \(r.body)") }
            return r.body.contains("\"timeout\"") ? r : nil
        }
        #expect(slow.header("retry-after") != nil, "headers: \(slow.headers)")
        #expect(RAGPeer.calls(control) >= 3)

        // 4. Repeated failures open the breaker: the gateway then refuses at once without calling the peer.
        let opened = try await Poll.until("the breaker to open", timeout: .seconds(20), every: .milliseconds(10)) { () -> HTTPProbe.Reply? in
            let r = try await http.query("How is hyperkalaemia treated?")
            #expect(r.status == 503, "body: \(r.body)")
            return r.body.contains("failing repeatedly") ? r : nil
        }
        #expect(opened.header("retry-after") != nil)
        let callsBefore = RAGPeer.calls(control)
        let refused = try await http.query("What causes diabetic ketoacidosis?")
        #expect(refused.status == 503, "body: \(refused.body)")
        #expect(refused.body.contains("failing repeatedly"), "body: \(refused.body)")
        #expect(RAGPeer.calls(control) == callsBefore, "the open breaker must not call the peer")

        // 5. The peer fast again: after the cool-down a probe goes through and closes the breaker.
        try "".write(toFile: control, atomically: true, encoding: .utf8)
        let recovered = try await Poll.until("the breaker to close", timeout: .seconds(20), every: .milliseconds(250)) { () -> HTTPProbe.Reply? in
            let r = try await http.query("What causes diabetic ketoacidosis?")
            return r.status == 200 ? r : nil
        }
        #expect(try recovered.json()["stale"] as? Bool == false)
        let after = RAGPeer.calls(control)
        let next = try await http.query("What is the CURB-65 score?")
        #expect(next.status == 200, "body: \(next.body)")
        #expect(RAGPeer.calls(control) == after + 1, "a closed breaker calls the peer")
    }
}

/// scripts/rag_peer.py on a loopback port.
struct RAGPeer {
    let child: ChildProcess

    /// `python()`, or nil after recording an issue (BEDSIDE_REQUIRE_ML=1: the test must run)
    /// or printing that the test is skipped.
    static func requiredPython() async -> String? {
        if let python = await python() { return python }
        if ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_ML"] == "1" {
            Issue.record("python3 with grpcio and grpcio-tools is required (scripts/ml-tools.sh installs them)")
        } else {
            print("skipped: no python3 with grpcio and grpcio-tools (pip install grpcio grpcio-tools, or scripts/ml-tools.sh)")
        }
        return nil
    }

    /// A python3 that imports grpc and grpc_tools: $BEDSIDE_RAG_PYTHON, the ml-tools venv, then PATH's.
    static func python() async -> String? {
        let env = ProcessInfo.processInfo.environment
        let tools = env["BEDSIDE_TOOLS"] ?? (NSHomeDirectory() + "/.cache/bedside-tools")
        var candidates = [env["BEDSIDE_RAG_PYTHON"], tools + "/venv/bin/python"].compactMap { $0 }
        for dir in (env["PATH"] ?? "/usr/bin").split(separator: ":") { candidates.append(dir + "/python3") }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if let r = try? await ChildProcess.run(path, ["-c", "import grpc, grpc_tools"], timeout: .seconds(30)), r.status == 0 { return path }
        }
        return nil
    }

    static func start(python: String, port: Int, control: String) async throws -> RAGPeer {
        let script = Bin.packageRoot.appendingPathComponent("scripts/rag_peer.py").path
        let child = try ChildProcess(python, [script, "--port", String(port), "--control", control], mergeStderr: true)
        do {
            try await Poll.until("rag_peer.py to listen", timeout: .seconds(60), every: .milliseconds(50)) {
                if !child.isRunning { throw TestError("rag_peer.py exited: \(child.stdout)") }
                return child.stdout.contains("listening \(port)")
            }
        } catch {
            await child.stop(signal: SIGKILL)
            throw error
        }
        return RAGPeer(child: child)
    }

    /// How many Query calls reached the peer (it appends one line per call).
    static func calls(_ control: String) -> Int {
        ((try? String(contentsOfFile: control + ".calls", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    func stop() async { await child.stop(signal: SIGKILL) }
    func kill() { child.signal(SIGKILL) }
}

/// POST /v1/query through curl, with the status line and headers kept.
struct HTTPProbe {
    let base: String
    let token: String
    let scratch: Scratch

    struct Reply {
        var status: Int
        var headers: String
        var body: String
        func json() throws -> [String: Any] {
            guard let o = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestError("not a JSON object: \(body)")
            }
            return o
        }
        func header(_ name: String) -> String? {
            headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
                .map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
        }
    }

    func query(_ question: String, noCache: Bool = false, accept: String? = nil) async throws -> Reply {
        let id = UUID().uuidString
        let headers = scratch.file("h-\(id)")
        let body = scratch.file("b-\(id)")
        var args = [
            "-sS", "-o", body, "-D", headers, "-w", "%{http_code}", "-X", "POST", base + "/v1/query",
            "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
            "--data-binary", JSONText.query(question), "--max-time", "30",
        ]
        if noCache { args += ["-H", "Cache-Control: no-cache"] }
        if let accept { args += ["-H", "Accept: \(accept)"] }
        let r = try await Shell.run("curl", args)
        guard r.status == 0, let status = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestError("curl failed (\(r.status)): \(r.stderr)")
        }
        return Reply(
            status: status, headers: (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "",
            body: (try? String(contentsOfFile: body, encoding: .utf8)) ?? "")
    }
}
