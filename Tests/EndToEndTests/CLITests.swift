import Foundation
import TestSupport
import Testing

/// Runs the real `bedside` binary, as a user would.
@Suite("CLI end to end")
struct CLITests {
    @Test func helpReadsLikeAWellKeptTool() async throws {
        let r = try await Bin.run(["--help"])
        #expect(r.status == 0)
        for word in ["ask", "ingest", "eval", "USAGE", "--version"] { #expect(r.stdout.contains(word), "help lacks \(word)") }
        let ask = try await Bin.run(["ask", "--help"])
        #expect(ask.stdout.contains("--top-k"))
        #expect(ask.stdout.contains("--json"))
        #expect(ask.stdout.contains("--db"))
    }

    @Test func askAnswersFromTheDemoCorpusWithCitations() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("b.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let r = try await Bin.run(["ask", "What is the first-line fluid bolus in septic shock?"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("30 mL/kg"))
        #expect(r.stdout.contains("[1]"))
        #expect(r.stdout.contains("Citations"))
        #expect(r.stderr.contains("demo corpus"))

        let j = try await Bin.run(["ask", "--json", "--top-k", "3", "What is the first-line fluid bolus in septic shock?"], env: env)
        #expect(j.status == 0, "stderr: \(j.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["answer"] is String)
        #expect(obj["refused"] as? Bool == false)
        #expect(obj["cached"] is Bool)
        #expect(obj["stale"] is Bool)
        let citations = try #require(obj["citations"] as? [[String: Any]])
        #expect(!citations.isEmpty)
        for c in citations {
            for key in ["n", "source_id", "title", "score", "text"] { #expect(c[key] != nil, "citation lacks \(key)") }
        }
        #expect((citations[0]["source_id"] as? String)?.contains("sepsis") == true)
    }

    @Test func askRefusesAnOutOfCorpusQuestion() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("b.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let r = try await Bin.run(["ask", "--json", "Who won the 1998 World Cup?"], env: env)
        #expect(r.status == 3, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["refused"] as? Bool == true)
        #expect((obj["citations"] as? [Any])?.isEmpty == true)
        let plain = try await Bin.run(["ask", "Who won the 1998 World Cup?"], env: env)
        #expect(plain.stdout.contains("do not answer"))
    }

    @Test func ingestIsIdempotentAndSummarises() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let corpus = s.file("c.jsonl")
        try """
        {"id":"a","title":"Hyperkalaemia","text":"Give calcium gluconate 10% 30 mL IV when the ECG shows changes.","metadata":{"year":"2020"}}
        {"id":"b","title":"Hypoglycaemia","text":"Give 150 mL of 10% glucose IV for severe hypoglycaemia.","metadata":{"year":"2021"}}
        """.write(toFile: corpus, atomically: true, encoding: .utf8)
        let db = s.file("i.sqlite")
        let first = try await Bin.run(["ingest", "--db", db, "--json", corpus])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(a["added"] as? Int == 2)
        #expect(a["index_version"] as? Int == 1)
        let second = try await Bin.run(["ingest", "--db", db, "--json", corpus])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(b["unchanged"] as? Int == 2)
        #expect(b["index_version"] as? Int == 1)
        let plain = try await Bin.run(["ingest", "--db", db, corpus])
        #expect(plain.stdout.contains("2 unchanged"))
        let ask = try await Bin.run(["ask", "--db", db, "calcium gluconate dose hyperkalaemia ECG"])
        #expect(ask.status == 0)
        #expect(ask.stdout.contains("Hyperkalaemia"))
    }

    @Test func aFileThatIsNotADatabaseIsReportedAndLeftAlone() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let path = s.file("precious.txt")
        let content = "my precious notes\n"
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await Bin.run(["ask", "--db", path, "sepsis"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("not a SQLite database"))
        #expect(!r.stderr.contains("Fatal"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
    }

    @Test func badArgumentsGetClearErrors() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let r = try await Bin.run(["ask", "--db", s.file("x.sqlite"), "--top-k", "0", "sepsis"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("top_k must be between 1 and 50"))
        let missing = try await Bin.run(["ingest", "--db", s.file("x.sqlite"), s.file("nope")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No such file or folder"))
    }

    @Test func evalReportsRecallAndLatency() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let corpus = s.file("c.jsonl")
        let questions = s.file("q.jsonl")
        try """
        {"id":"d1","title":"Warfarin reversal","text":"Vitamin K and prothrombin complex concentrate reverse warfarin in major bleeding."}
        {"id":"d2","title":"Statins","text":"Statins lower LDL cholesterol and cardiovascular events."}
        {"id":"d3","title":"Gout","text":"Colchicine or NSAIDs treat acute gout flares."}
        """.write(toFile: corpus, atomically: true, encoding: .utf8)
        try """
        {"id":"q1","question":"How is warfarin reversed in bleeding?","gold_ids":["d1"]}
        {"id":"q2","question":"Do statins reduce cardiovascular events?","gold_ids":["d2"]}
        {"id":"q3","question":"What treats a gout flare?","gold_ids":["d3"]}
        {"id":"q4","question":"Unrelated question about astronomy","gold_ids":["d9"]}
        """.write(toFile: questions, atomically: true, encoding: .utf8)
        let r = try await Bin.run(["eval", "--corpus", corpus, "--questions", questions, "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["questions", "recall@1", "recall@5", "recall@10", "mrr@10", "latency_ms_p50", "latency_ms_p95"] {
            #expect(obj[key] != nil, "eval lacks \(key)")
        }
        #expect(obj["questions"] as? Double == 4)
        #expect(obj["recall@1"] as? Double == 0.75)
        #expect(obj["mrr@10"] as? Double == 0.75)
    }

    /// The dev set from ../shared, when present (tests must pass without it).
    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: Bin.packageRoot.appendingPathComponent("../shared/data/pubmedqa-dev/corpus.jsonl").path)))
    func evalOnPubMedQAReachesTheReferenceRecall() async throws {
        let dir = Bin.packageRoot.appendingPathComponent("../shared/data/pubmedqa-dev").standardized.path
        let r = try await Bin.run(
            ["eval", "--corpus", dir + "/corpus.jsonl", "--questions", dir + "/questions.jsonl", "--json"], timeout: .seconds(300))
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["recall@1"] as? Double ?? 0) >= 0.966)
        #expect((obj["recall@5"] as? Double ?? 0) >= 0.990)
    }

    /// Component flags are checked before anything runs, and say what to set.
    @Test func componentFlagsNeedTheirServersAndSaySo() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("config"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let db = s.file("c.sqlite")
        let unknown = try await Bin.run(["ask", "--db", db, "--retriever", "semantic", "sepsis"], env: env)
        // argument-parser refuses a value outside the option's type, naming the choices (EX_USAGE).
        #expect(unknown.status == 64)
        #expect(
            unknown.stderr.contains("The value 'semantic' is invalid for '--retriever <kind>'. Please provide one of 'bm25', 'vector' or 'hybrid'."))
        let index = try await Bin.run(["ingest", "--db", db, "--index", "pinecone", Bin.demoCorpus], env: env)
        #expect(index.status == 64)
        #expect(index.stderr.contains("Please provide one of 'embedded' and 'qdrant'"), "\(index.stderr)")
        for command in [
            ["ask", "--db", db, "--retriever", "hybrid", "sepsis"], ["eval", "--retriever", "vector", "--corpus", "x", "--questions", "y"],
        ] {
            let r = try await Bin.run(command, env: env)
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr.contains("needs an embedding server: set BEDSIDE_EMBED_URL") && r.stderr.contains("bedside doctor"), "\(r.stderr)")
        }
        let qdrant = try await Bin.run(
            ["ask", "--db", db, "--index", "qdrant", "sepsis"], env: env.merging(["BEDSIDE_EMBED_URL": "http://127.0.0.1:1/v1"]) { $1 })
        #expect(qdrant.status == 1)
        #expect(qdrant.stderr.contains("set BEDSIDE_QDRANT_URL"), "\(qdrant.stderr)")
        // A command that stopped at its flags ingested nothing.
        if FileManager.default.fileExists(atPath: db) {
            let doctor = try await Bin.run(["doctor", "--db", db], env: env)
            #expect(doctor.stdout.contains(": 0 documents"), "\(doctor.stdout)")
        }
    }

    @Test func doctorWithNothingConfiguredIsHealthy() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("config"), "XDG_DATA_HOME": s.file("data")]
        let r = try await Bin.run(["doctor", "--db", s.file("none.sqlite")], env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for component in ["config", "database", "store", "llm", "embeddings", "qdrant"] {
            #expect(r.stdout.contains("\n" + component) || r.stdout.hasPrefix(component), "doctor lacks \(component)")
        }
        #expect(r.stdout.contains("not configured"))
        #expect(!r.stdout.contains("FAILED"))
        let j = try await Bin.run(["doctor", "--db", s.file("none.sqlite"), "--json"], env: env)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["ok"] as? Bool == true)
        #expect(
            (obj["checks"] as? [[String: Any]])?.map { $0["component"] as? String ?? "" } == [
                "config", "database", "store", "llm", "embeddings", "qdrant",
            ])

        // A broken config file is the finding: FAILED, exit 1, with file and line.
        try FileManager.default.createDirectory(atPath: s.file("config/bedside"), withIntermediateDirectories: true)
        try "[llm]\nurl = \"http://127.0.0.1:1/v1\"\nmodle = \"x\"\n".write(
            toFile: s.file("config/bedside/config.toml"), atomically: true, encoding: .utf8)
        let bad = try await Bin.run(["doctor", "--db", s.file("none.sqlite")], env: env)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("FAILED") && bad.stdout.contains("config.toml:3") && bad.stdout.contains("modle"), "\(bad.stdout)")
        // The same file stops ask with the same message rather than being ignored.
        let ask = try await Bin.run(["ask", "--db", s.file("none.sqlite"), "sepsis"], env: env)
        #expect(ask.status == 1)
        #expect(ask.stderr.contains("config.toml:3"))
    }

    @Test func benchJWTMeasuresVerification() async throws {
        let r = try await Bin.run(["bench-jwt", "--iterations", "200", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Double])
        for key in ["hs256_us", "hs256_cached_us", "es256_us"] { #expect((obj[key] ?? 0) > 0, "\(key)") }
        let plain = try await Bin.run(["bench-jwt", "--iterations", "100"])
        #expect(plain.stdout.contains("HS256") && plain.stdout.contains("ES256") && plain.stdout.contains("us/token"))
    }
}
