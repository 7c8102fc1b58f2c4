import Foundation
import Testing

/// Runs the real `bedside` binary, as a user would.
@Suite("CLI end to end", .serialized)
struct CLITests {
    @Test func helpReadsLikeAWellKeptTool() throws {
        let r = try Bin.run(["--help"])
        #expect(r.status == 0)
        for word in ["ask", "ingest", "eval", "USAGE", "--version"] { #expect(r.stdout.contains(word), "help lacks \(word)") }
        let ask = try Bin.run(["ask", "--help"])
        #expect(ask.stdout.contains("--top-k"))
        #expect(ask.stdout.contains("--json"))
        #expect(ask.stdout.contains("--db"))
    }

    @Test func askAnswersFromTheDemoCorpusWithCitations() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("b.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let r = try Bin.run(["ask", "What is the first-line fluid bolus in septic shock?"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("30 mL/kg"))
        #expect(r.stdout.contains("[1]"))
        #expect(r.stdout.contains("Citations"))
        #expect(r.stderr.contains("demo corpus"))

        let j = try Bin.run(["ask", "--json", "--top-k", "3", "What is the first-line fluid bolus in septic shock?"], env: env)
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

    @Test func askRefusesAnOutOfCorpusQuestion() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("b.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let r = try Bin.run(["ask", "--json", "Who won the 1998 World Cup?"], env: env)
        #expect(r.status == 3, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["refused"] as? Bool == true)
        #expect((obj["citations"] as? [Any])?.isEmpty == true)
        let plain = try Bin.run(["ask", "Who won the 1998 World Cup?"], env: env)
        #expect(plain.stdout.contains("do not answer"))
    }

    @Test func ingestIsIdempotentAndSummarises() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let corpus = s.file("c.jsonl")
        try """
        {"id":"a","title":"Hyperkalaemia","text":"Give calcium gluconate 10% 30 mL IV when the ECG shows changes.","metadata":{"year":"2020"}}
        {"id":"b","title":"Hypoglycaemia","text":"Give 150 mL of 10% glucose IV for severe hypoglycaemia.","metadata":{"year":"2021"}}
        """.write(toFile: corpus, atomically: true, encoding: .utf8)
        let db = s.file("i.sqlite")
        let first = try Bin.run(["ingest", "--db", db, "--json", corpus])
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let a = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(a["added"] as? Int == 2)
        #expect(a["index_version"] as? Int == 1)
        let second = try Bin.run(["ingest", "--db", db, "--json", corpus])
        let b = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(b["unchanged"] as? Int == 2)
        #expect(b["index_version"] as? Int == 1)
        let plain = try Bin.run(["ingest", "--db", db, corpus])
        #expect(plain.stdout.contains("2 unchanged"))
        let ask = try Bin.run(["ask", "--db", db, "calcium gluconate dose hyperkalaemia ECG"])
        #expect(ask.status == 0)
        #expect(ask.stdout.contains("Hyperkalaemia"))
    }

    @Test func aFileThatIsNotADatabaseIsReportedAndLeftAlone() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let path = s.file("precious.txt")
        let content = "my precious notes\n"
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try Bin.run(["ask", "--db", path, "sepsis"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("not a SQLite database"))
        #expect(!r.stderr.contains("Fatal"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)
    }

    @Test func badArgumentsGetClearErrors() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let r = try Bin.run(["ask", "--db", s.file("x.sqlite"), "--top-k", "0", "sepsis"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("top_k must be between 1 and 50"))
        let missing = try Bin.run(["ingest", "--db", s.file("x.sqlite"), s.file("nope")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No such file or folder"))
    }

    @Test func evalReportsRecallAndLatency() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let corpus = s.file("c.jsonl"), questions = s.file("q.jsonl")
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
        let r = try Bin.run(["eval", "--corpus", corpus, "--questions", questions, "--json"])
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
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Bin.packageRoot.appendingPathComponent("../shared/data/pubmedqa-dev/corpus.jsonl").path)))
    func evalOnPubMedQAReachesTheReferenceRecall() throws {
        let dir = Bin.packageRoot.appendingPathComponent("../shared/data/pubmedqa-dev").standardized.path
        let r = try Bin.run(["eval", "--corpus", dir + "/corpus.jsonl", "--questions", dir + "/questions.jsonl", "--json"], timeout: 300)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((obj["recall@1"] as? Double ?? 0) >= 0.966)
        #expect((obj["recall@5"] as? Double ?? 0) >= 0.990)
    }
}
