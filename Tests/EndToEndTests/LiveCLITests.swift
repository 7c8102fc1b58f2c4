import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real `bedside` binary against the real components: llama-server (embeddings, chat)
/// and Qdrant (the repo's Qdrant REST fixture, or a real Qdrant). Each test runs when the
/// `BEDSIDE_*` URLs it needs are set (`eval "$(scripts/ml-servers.sh start)"`); with
/// `BEDSIDE_REQUIRE_ML=1` a missing one is a failure, not a skip.
///
/// Covered elsewhere, not repeated here: an LLM killed mid-stream (LiveComponentsTests,
/// `anLLMKilledMidStreamGivesAnIncompleteVerifiedAnswer`), the stale-if-error logic in
/// process (GatewayTests), the Qdrant client's dimension checks (LiveComponentsTests.qdrantRoundTrip).
@Suite("Live CLI: real embeddings, Qdrant and LLM through the binary")
struct LiveCLITests {
    static let env = ProcessInfo.processInfo.environment
    static let required = env["BEDSIDE_REQUIRE_ML"] == "1"
    static let hasEmbed = env["BEDSIDE_EMBED_URL"] != nil
    static let hasQdrant = env["BEDSIDE_QDRANT_URL"] != nil
    static let hasLLM = env["BEDSIDE_LLM_URL"] != nil

    static let adrenaline = "What is the adult dose of IM adrenaline in anaphylaxis?"

    /// The component variables of this process, checked: each one `names` lists must be set
    /// (the test is only enabled without them when BEDSIDE_REQUIRE_ML=1, so this fails it).
    static func components(_ names: [String], optional: [String] = [], collection: String? = nil) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in optional { out[name] = env[name] }
        for name in names {
            let value = try #require(env[name], "BEDSIDE_REQUIRE_ML=1 but \(name) is not set: run `eval \"$(scripts/ml-servers.sh start)\"`")
            out[name] = value
        }
        for extra in ["BEDSIDE_QDRANT_API_KEY", "BEDSIDE_LLM_MODEL", "BEDSIDE_EMBED_MODEL", "BEDSIDE_OPENAI_API_KEY"] { out[extra] = env[extra] }
        if let collection { out["BEDSIDE_QDRANT_COLLECTION"] = collection }
        return out
    }

    /// Environment for a run: the given components, a config folder of its own (a developer's
    /// config file must not change what is tested), and the demo corpus.
    static func runEnv(_ scratch: Scratch, _ components: [String: String]) -> [String: String] {
        var e = components
        e["XDG_CONFIG_HOME"] = scratch.file("config")
        e["BEDSIDE_DEMO_CORPUS"] = Bin.demoCorpus
        return e
    }

    static func uniqueCollection(_ tag: String) -> String { "bedside-cli-\(tag)-\(UInt32.random(in: 0...UInt32.max))" }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(500))")
    }

    // MARK: (a) ingest through real embeddings into Qdrant, then ask hybrid over Qdrant

    @Test(.enabled(if: (hasEmbed && hasQdrant) || required), .timeLimit(.minutes(10)))
    func ingestTheDemoCorpusIntoQdrantAndAskHybrid() async throws {
        let collection = Self.uniqueCollection("demo")
        let s = try Scratch()
        defer { s.cleanup() }
        let comps = try Self.components(
            ["BEDSIDE_EMBED_URL", "BEDSIDE_QDRANT_URL"] + (Self.required ? ["BEDSIDE_LLM_URL"] : []),
            optional: ["BEDSIDE_LLM_URL"], collection: collection)
        let qdrant = QdrantFixtureAPI(url: comps["BEDSIDE_QDRANT_URL"]!, apiKey: comps["BEDSIDE_QDRANT_API_KEY"])
        defer { qdrant.deleteCollectionSoon(collection) }
        let env = Self.runEnv(s, comps)
        let db = s.file("live.sqlite")

        let ingest = try await Bin.run(
            ["ingest", "--db", db, "--json", "--index", "qdrant", "--retriever", "hybrid", Bin.demoCorpus], env: env, timeout: .seconds(600))
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        let summary = try Self.json(ingest.stdout)
        let chunks = try #require(summary["chunks"] as? Int)
        #expect(summary["documents"] as? Int == 32)
        #expect(chunks > 0)
        #expect(summary["embedded"] as? Int == chunks, "every passage embedded")
        // The vectors are in Qdrant (not the embedded index): the collection holds one point per passage.
        #expect(try await qdrant.pointsCount(collection) == chunks)

        let ask = try await Bin.run(
            ["ask", "--db", db, "--json", "--retriever", "hybrid", "--index", "qdrant", Self.adrenaline], env: env, timeout: .seconds(300))
        #expect(ask.status == 0, "exit \(ask.status), stderr: \(ask.stderr)")
        let answer = try Self.json(ask.stdout)
        #expect(answer["refused"] as? Bool == false, "answer: \(answer["answer"] ?? "")")
        #expect(answer["retriever"] as? String == "hybrid")
        if Self.hasLLM { #expect((answer["model"] as? String)?.contains(comps["BEDSIDE_LLM_MODEL"] ?? "SmolLM2") == true) }
        let text = try #require(answer["answer"] as? String)
        let citations = try #require(answer["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty)
        for c in citations {
            let source = try #require(c["source_id"] as? String)
            let file = URL(fileURLWithPath: Bin.demoCorpus).appendingPathComponent(source + ".md")
            let document = try #require(try? String(contentsOf: file, encoding: .utf8), "\(source) is not a demo document")
            let passage = try #require(c["text"] as? String)
            #expect(document.contains(passage), "the text of [\(c["n"] ?? "?")] is in \(source).md")
            if let start = c["start"] as? Int, let end = c["end"] as? Int {
                let bytes = Array(document.utf8)
                #expect(
                    end <= bytes.count && String(decoding: bytes[start..<end], as: UTF8.self) == passage,
                    "offsets of [\(c["n"] ?? "?")] find its text")
            }
        }
        // Every [n] in the text and in the sentences resolves to a listed citation.
        let numbers = Set(citations.compactMap { $0["n"] as? Int })
        for match in text.matches(of: /\[(\d+)\]/) { #expect(numbers.contains(Int(match.1) ?? -1), "[\(match.1)] resolves") }
        for sentence in answer["sentences"] as? [[String: Any]] ?? [] {
            for n in sentence["citations"] as? [Int] ?? [] { #expect(numbers.contains(n)) }
        }
        #expect(citations.contains { $0["source_id"] as? String == "anaphylaxis" })
    }

    // MARK: (b) doctor

    @Test(.enabled(if: (hasEmbed && hasQdrant && hasLLM) || required))
    func doctorReportsEveryConfiguredComponentOK() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let comps = try Self.components(["BEDSIDE_LLM_URL", "BEDSIDE_EMBED_URL", "BEDSIDE_QDRANT_URL"], collection: Self.uniqueCollection("doctor"))
        let r = try await Bin.run(["doctor", "--db", s.file("d.sqlite"), "--json"], env: Self.runEnv(s, comps), timeout: .seconds(60))
        #expect(r.status == 0, "stdout: \(r.stdout) stderr: \(r.stderr)")
        let report = try Self.json(r.stdout)
        #expect(report["ok"] as? Bool == true)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let status = Dictionary(checks.map { ($0["component"] as? String ?? "", $0["status"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        for component in ["config", "llm", "embeddings", "qdrant"] { #expect(status[component] == "ok", "\(component): \(checks)") }
        let plain = try await Bin.run(["doctor", "--db", s.file("d.sqlite")], env: Self.runEnv(s, comps), timeout: .seconds(60))
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("-dimensional vectors"))
        #expect(!plain.stdout.contains("FAILED"))

        // A component that is configured but down: FAILED with a reason, exit 1.
        var broken = comps
        broken["BEDSIDE_LLM_URL"] = "http://127.0.0.1:1/v1"
        let bad = try await Bin.run(["doctor", "--db", s.file("d.sqlite"), "--timeout", "3"], env: Self.runEnv(s, broken), timeout: .seconds(60))
        #expect(bad.status == 1)
        let llmLine = bad.stdout.split(separator: "\n").first { $0.hasPrefix("llm") }.map(String.init) ?? ""
        #expect(llmLine.contains("FAILED") && llmLine.contains("127.0.0.1:1"), "\(bad.stdout)")
    }

    // MARK: (c) Qdrant down: a structured error, and through the gateway a stale answer

    @Test(.enabled(if: hasEmbed || required), .timeLimit(.minutes(10)))
    func qdrantDownGivesAStructuredErrorAndTheGatewayServesStale() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        // A Qdrant of our own, stopped mid-test; the shared fixture stays up for other tests.
        var comps = try Self.components(["BEDSIDE_EMBED_URL"])
        let fixture = try await QdrantFixtureProcess.start(dataDirectory: s.file("qdrant-data"))
        defer { fixture.kill() }
        comps["BEDSIDE_QDRANT_URL"] = fixture.url
        comps["BEDSIDE_QDRANT_API_KEY"] = nil
        let env = Self.runEnv(s, comps) // no LLM: extractive answers keep this test fast
        let db = s.file("down.sqlite")
        let flags = ["--db", db, "--retriever", "hybrid", "--index", "qdrant"]

        let ingest = try await Bin.run(["ingest"] + flags + [Bin.demoCorpus], env: env, timeout: .seconds(600))
        #expect(ingest.status == 0, "stderr: \(ingest.stderr)")
        let server = try await ServerProcess.start(flags, env: env)
        defer { server.kill() }
        let token = try await Bin.run(["token", "create", "--db", db, "--subject", "dr-live", "--ttl", "10m"], env: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let gateway = ["--gateway", server.url, "--token", token, "--json"]

        let fresh = try await Bin.run(["ask"] + gateway + [Self.adrenaline], env: env)
        #expect(fresh.status == 0, "stderr: \(fresh.stderr)")
        let first = try Self.json(fresh.stdout)
        #expect(first["refused"] as? Bool == false)
        #expect(first["stale"] as? Bool == false && first["cached"] as? Bool == false)
        #expect(first["retriever"] as? String == "hybrid")

        await fixture.stop()
        #expect(!fixture.isRunning)

        // The same question, cache bypassed: inference fails, the cached answer comes back stale.
        let stale = try await Bin.run(["ask"] + gateway + ["--no-cache", Self.adrenaline], env: env)
        #expect(stale.status == 0, "stderr: \(stale.stderr)")
        let again = try Self.json(stale.stdout)
        #expect(again["stale"] as? Bool == true)
        #expect(again["cached"] as? Bool == true)
        #expect(again["answer"] as? String == first["answer"] as? String)

        // A question never answered: nothing to fall back to, a 503 reported plainly.
        let novel = "How is status epilepticus treated?"
        let failed = try await Bin.run(["ask"] + gateway + [novel], env: env)
        #expect(failed.status == 1, "stdout: \(failed.stdout)")
        #expect(failed.stderr.hasPrefix("error: "), "\(failed.stderr)")
        #expect(failed.stderr.contains("Qdrant") && failed.stderr.contains("cannot be reached"), "\(failed.stderr)")
        #expect(!failed.stderr.contains("Fatal error"))
        #expect(server.isRunning, "the gateway survives")

        // The CLI on its own (embedded gateway): the same structured error, no crash.
        let local = try await Bin.run(["ask"] + flags + [novel], env: env)
        #expect(local.status == 1, "stdout: \(local.stdout)")
        #expect(local.stderr.contains("error: ") && local.stderr.contains("Qdrant"), "\(local.stderr)")
        #expect(!local.stderr.contains("Fatal error"))
        #expect(await server.stop() == 0)
    }

    // MARK: (d) a collection made for another embedding size

    @Test(.enabled(if: (hasEmbed && hasQdrant) || required), .timeLimit(.minutes(5)))
    func aWrongDimensionCollectionIsAClearError() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let collection = Self.uniqueCollection("dim")
        let comps = try Self.components(["BEDSIDE_EMBED_URL", "BEDSIDE_QDRANT_URL"], collection: collection)
        let qdrant = QdrantFixtureAPI(url: comps["BEDSIDE_QDRANT_URL"]!, apiKey: comps["BEDSIDE_QDRANT_API_KEY"])
        try await qdrant.createCollection(collection, size: 8)
        defer { qdrant.deleteCollectionSoon(collection) }
        let env = Self.runEnv(s, comps)
        let db = s.file("dim.sqlite")

        func expectBothDimensions(_ text: String, _ what: String) {
            let sizes = text.matches(of: /(\d+)-dimensional/).map { String($0.1) }
            #expect(sizes.contains("8") && sizes.contains { $0 != "8" }, "\(what) names both dimensions: \(text)")
            #expect(text.contains(collection), "\(what) names the collection: \(text)")
        }
        let ingest = try await Bin.run(["ingest", "--db", db, "--index", "qdrant", Bin.demoCorpus], env: env, timeout: .seconds(300))
        #expect(ingest.status == 1)
        #expect(ingest.stderr.hasPrefix("error: "))
        expectBothDimensions(ingest.stderr, "ingest")

        let ask = try await Bin.run(
            ["ask", "--db", db, "--json", "--retriever", "vector", "--index", "qdrant", Self.adrenaline], env: env, timeout: .seconds(120))
        #expect(ask.status == 1, "stdout: \(ask.stdout)")
        expectBothDimensions(ask.stderr, "ask")

        let doctor = try await Bin.run(["doctor", "--db", db], env: env, timeout: .seconds(60))
        #expect(doctor.status == 1)
        let line = doctor.stdout.split(separator: "\n").first { $0.hasPrefix("qdrant") }.map(String.init) ?? ""
        #expect(line.contains("FAILED"))
        expectBothDimensions(line, "doctor")
        // The collection was refused, not changed.
        #expect(try await qdrant.vectorSize(collection) == 8)
    }
}

/// Qdrant's REST API, for test set-up and checks (documented endpoints only).
struct QdrantFixtureAPI: Sendable {
    var url: String
    var apiKey: String?

    func request(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> (Int, [String: Any]) {
        var r = URLRequest(url: URL(string: url + path)!)
        r.httpMethod = method
        r.timeoutInterval = 30
        if let apiKey { r.setValue(apiKey, forHTTPHeaderField: "api-key") }
        if let body {
            r.httpBody = try JSONSerialization.data(withJSONObject: body)
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    func createCollection(_ name: String, size: Int) async throws {
        let (status, body) = try await request("PUT", "/collections/\(name)", body: ["vectors": ["size": size, "distance": "Cosine"]])
        guard status == 200 else { throw TestError("creating \(name): HTTP \(status) \(body)") }
    }

    func info(_ name: String) async throws -> [String: Any] {
        let (status, body) = try await request("GET", "/collections/\(name)")
        guard status == 200, let result = body["result"] as? [String: Any] else {
            throw TestError("GET /collections/\(name): HTTP \(status) \(body)")
        }
        return result
    }

    func pointsCount(_ name: String) async throws -> Int? {
        try await info(name)["points_count"] as? Int
    }

    func vectorSize(_ name: String) async throws -> Int? {
        let config = try await info(name)["config"] as? [String: Any]
        let vectors = (config?["params"] as? [String: Any])?["vectors"] as? [String: Any]
        return vectors?["size"] as? Int
    }

    /// Deletes a collection the test made (best effort, in the background: a `defer` cannot await).
    func deleteCollectionSoon(_ name: String) {
        let api = self
        Task { _ = try? await api.request("DELETE", "/collections/\(name)") }
    }
}

/// A Qdrant REST fixture (scripts/qdrant_fixture.py) of the test's own on a free port,
/// so that stopping it does not disturb the shared one.
final class QdrantFixtureProcess: Sendable {
    let child: ChildProcess
    let url: String

    /// The Python of the ML tooling's virtual environment (scripts/ml-tools.sh).
    static var python: String {
        let env = ProcessInfo.processInfo.environment
        let tools = env["BEDSIDE_TOOLS"] ?? (NSHomeDirectory() + "/.cache/bedside-tools")
        return tools + "/venv/bin/python"
    }

    private init(child: ChildProcess, url: String) {
        self.child = child
        self.url = url
    }

    static func start(dataDirectory: String, timeout: Duration = .seconds(60)) async throws -> QdrantFixtureProcess {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestError("no Python venv at \(python): run scripts/ml-tools.sh (or set BEDSIDE_TOOLS)")
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let url = "http://127.0.0.1:\(port)"
        var environment = ProcessInfo.processInfo.environment
        environment["QDRANT_FIXTURE_API_KEY"] = nil
        let child = try ChildProcess(
            python,
            [
                Bin.packageRoot.appendingPathComponent("scripts/qdrant_fixture.py").path,
                "--host", "127.0.0.1", "--port", String(port), "--data", dataDirectory, "--quiet",
            ],
            environment: environment, mergeStderr: true)
        do {
            try await Poll.until("the Qdrant fixture on port \(port) to be healthy", timeout: timeout, every: .milliseconds(200)) {
                guard child.isRunning else { throw TestError("the Qdrant fixture exited: \(child.stdout)") }
                return await healthy(url)
            }
        } catch {
            await child.stop(signal: SIGKILL)
            throw error
        }
        return QdrantFixtureProcess(child: child, url: url)
    }

    var isRunning: Bool { child.isRunning }

    static func healthy(_ url: String) async -> Bool {
        guard let healthz = URL(string: url + "/healthz") else { return false }
        var r = URLRequest(url: healthz)
        r.timeoutInterval = 2
        let response = try? await URLSession.shared.data(for: r).1
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// SIGTERM (the fixture flushes and exits), then SIGKILL if it lingers after 10 s.
    func stop() async {
        await child.stop(signal: SIGTERM, timeout: .seconds(10))
    }

    /// SIGKILL without waiting (for `defer`).
    func kill() { child.signal(SIGKILL) }
}
