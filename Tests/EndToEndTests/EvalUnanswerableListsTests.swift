import Foundation
import TestSupport
import Testing

/// `bedside eval` with several `--unanswerable` lists, as `bench/answers.sh` runs it: each list's
/// refusals are counted on its own (a pooled rate would hide a clinical near miss answered from a
/// neighbouring note behind a list of off-topic questions all refused), the pooled keys stay as
/// they were, and the whole pipeline is timed.
@Suite("bedside eval with several unanswerable lists")
struct EvalUnanswerableListsTests {
    /// Three short notes on made-up conditions, so no other corpus's wording can leak in.
    static let notes = [
        "zorblax-widget-fever.md": """
        # Widget fever

        ## Treatment

        Widget fever is treated with oral zorblax 5 mg twice daily for 7 days. Zorblax should be avoided in pregnancy, and paracetamol is used for the fever itself.
        """,
        "quillan-syndrome.md": """
        # Quillan syndrome

        ## Diagnosis

        Quillan syndrome is diagnosed when the plasma quillanase level is above 40 units per litre on two samples taken a week apart.
        """,
        "marrow-cough.md": """
        # Marrow cough

        ## Treatment

        Marrow cough in adults is treated with inhaled brevasol 200 micrograms every 4 hours until the cough settles.
        """,
    ]

    @Test func countsEachListApartAndKeepsThePooledKeys() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let corpus = s.file("notes")
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (name, text) in Self.notes { try text.write(toFile: corpus + "/" + name, atomically: true, encoding: .utf8) }
        let questions = s.file("questions.jsonl")
        try """
        {"id":"q1","question":"What is the zorblax dose for widget fever?","gold_ids":["zorblax-widget-fever"]}
        {"id":"q2","question":"How is Quillan syndrome diagnosed?","gold_ids":["quillan-syndrome"]}
        {"id":"q3","question":"brevasol dose for marrow cough","gold_ids":["marrow-cough"]}
        """.write(toFile: questions, atomically: true, encoding: .utf8)
        // A list named by its folder (questions.txt), one line a question.
        try FileManager.default.createDirectory(atPath: s.file("off-topic"), withIntermediateDirectories: true)
        let offTopic = s.file("off-topic/questions.txt")
        try """
        What is the capital of Peru?
        How do I repot an orchid?

        At what temperature does water boil on Everest?
        """.write(toFile: offTopic, atomically: true, encoding: .utf8)
        // A list named by its file, JSONL; its second question is one the notes do answer, so this
        // list is refused 1/2 (with today's gate) while the other is refused 3/3.
        let nearMiss = s.file("near-miss.jsonl")
        try """
        {"question":"Which drug is used for prophylaxis after close contact with pertussis?"}
        {"question":"What dose of zorblax treats widget fever?"}
        """.write(toFile: nearMiss, atomically: true, encoding: .utf8)
        let details = s.file("details.jsonl")
        let args = [
            "eval", "--corpus", corpus, "--questions", questions, "--unanswerable", offTopic, "--unanswerable", nearMiss, "--details", details,
        ]
        let r = try await Bin.run(args + ["--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let lists = try #require(obj["unanswerable_lists"] as? [[String: Any]], "\(r.stdout)")
        try #require(lists.count == 2, "\(lists)")
        #expect(lists.map { $0["name"] as? String } == ["off-topic", "near-miss"])
        #expect(lists.map { $0["path"] as? String } == [offTopic, nearMiss])
        #expect(lists.map { $0["questions"] as? Double } == [3, 2])
        // Which questions the gate refuses is not this test's business (the gate's own tests say
        // that); that eval counts them per list, pooled and in --details alike, is.
        let refused = lists.map { Int($0["refused"] as? Double ?? -1) }
        #expect(refused[0] == 3, "nothing in the notes is about Peru, orchids or Everest: \(lists)")
        #expect((1...2).contains(refused[1]), "the notes say nothing of pertussis: \(lists)")
        #expect(lists.map { $0["refusal_rate"] as? Double } == [1, Double(refused[1]) / 2])
        // The pooled keys keep their meaning: every unanswerable question, whatever its list.
        #expect(obj["unanswerable_questions"] as? Double == 5)
        #expect(obj["unanswerable_refused"] as? Double == Double(3 + refused[1]))
        #expect(obj["refusal_rate"] as? Double == Double(3 + refused[1]) / 5)
        #expect(obj["questions"] as? Double == 3)
        for key in ["answer_latency_ms_p50", "answer_latency_ms_p95", "pipeline_latency_ms_p50"] {
            #expect((obj[key] as? Double ?? 0) > 0, "\(key) in \(r.stdout)")
        }
        #expect((obj["answer_latency_ms_p50"] as? Double ?? 0) <= (obj["answer_latency_ms_p95"] as? Double ?? 0))

        // --details names each unanswerable question by its list, and agrees with the counts.
        let lines = try String(contentsOfFile: details, encoding: .utf8).split(separator: "\n")
        let rows = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let unanswerable = rows.filter { $0["answerable"] as? Bool == false }
        #expect(unanswerable.compactMap { $0["id"] as? String } == ["off-topic-1", "off-topic-2", "off-topic-3", "near-miss-1", "near-miss-2"])
        #expect(unanswerable.filter { ($0["id"] as? String)?.hasPrefix("near-miss") == true && $0["refused"] as? Bool == true }.count == refused[1])
        #expect(unanswerable.filter { ($0["id"] as? String)?.hasPrefix("off-topic") == true && $0["refused"] as? Bool == true }.count == 3)
        let falselyRefused = rows.filter { $0["answerable"] as? Bool == true && $0["refused"] as? Bool == true }.count
        #expect(obj["false_refusals"] as? Double == Double(falselyRefused))
        #expect(rows.allSatisfy { ($0["latency_ms"] as? Double ?? -1) >= 0 })

        // The text report has a line per list.
        let text = try await Bin.run(args)
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("unanswerable refused \(3 + refused[1])/5"), "\(text.stdout)")
        #expect(text.stdout.contains("off-topic: refused 3/3"), "\(text.stdout)")
        #expect(text.stdout.contains("near-miss: refused \(refused[1])/2"), "\(text.stdout)")
        #expect(text.stdout.contains("answer latency (whole pipeline"), "\(text.stdout)")
    }

    /// One list works as before, and a list with no questions is refused as bad input.
    @Test func oneListAsBeforeAndAnEmptyListIsBadInput() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let corpus = s.file("notes")
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for (name, text) in Self.notes { try text.write(toFile: corpus + "/" + name, atomically: true, encoding: .utf8) }
        let questions = s.file("q.jsonl")
        try #"{"id":"q1","question":"How is Quillan syndrome diagnosed?","gold_ids":["quillan-syndrome"]}"#.write(
            toFile: questions, atomically: true, encoding: .utf8)
        let offTopic = s.file("astronomy.txt")
        try "How far away is the Moon?\n".write(toFile: offTopic, atomically: true, encoding: .utf8)
        let r = try await Bin.run(["eval", "--corpus", corpus, "--questions", questions, "--unanswerable", offTopic, "--json"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(obj["unanswerable_questions"] as? Double == 1)
        #expect(obj["unanswerable_refused"] as? Double == 1)
        #expect((obj["unanswerable_lists"] as? [[String: Any]])?.first?["name"] as? String == "astronomy")
        let empty = s.file("empty.txt")
        try "\n\n".write(toFile: empty, atomically: true, encoding: .utf8)
        let bad = try await Bin.run(["eval", "--corpus", corpus, "--questions", questions, "--unanswerable", offTopic, "--unanswerable", empty])
        #expect(bad.status == 2, "stdout: \(bad.stdout) stderr: \(bad.stderr)")
        #expect(bad.stderr.contains("holds no questions"), "\(bad.stderr)")
    }
}
