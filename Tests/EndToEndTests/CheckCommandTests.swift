import Foundation
import TestSupport
import Testing

/// `bedside check`: an answer text of your own, checked against the passages retrieved for
/// the question, as the real binary runs it.
@Suite("bedside check end to end")
struct CheckCommandTests {
    static let question = "What is the IM adrenaline dose for an adult with anaphylaxis?"

    /// What SmolLM2-135M wrote for the adrenaline question, and one faithful sentence.
    static let answer = """
        The sources are [1]:
        The answer is: 500 to 1000 micrograms (0.5 mL) [1].
        The IM adrenaline dose for adults is 500 micrograms (0.5 mL of 1 mg/mL) [1].
        Vasopressin and hydrocortisone 200 mg/kg/min [1]
        """

    @Test func checksEachSentenceAndReportsVerdictsAsJSON() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("c.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let file = s.file("answer.txt")
        try Self.answer.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await Bin.run(["check", "--json", "--question", Self.question, "--answer", file], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sources = try #require(obj["sources"] as? [[String: Any]])
        #expect(sources.first?["source_id"] as? String == "anaphylaxis")
        let sentences = try #require(obj["sentences"] as? [[String: Any]])
        let verdicts = sentences.map { ($0["text"] as? String ?? "", $0["verdict"] as? String ?? "") }
        #expect(verdicts.map(\.1) == ["dropped", "removed", "supported", "removed"], "\(verdicts)")
        let removed = try #require(obj["removed_sentences"] as? [[String: Any]])
        #expect(removed.count == 2)
        #expect((removed.first?["reason"] as? String)?.contains("1000 micrograms") == true)
        let shown = try #require(obj["answer"] as? String)
        #expect(shown.contains("500 micrograms (0.5 mL of 1 mg/mL)") && !shown.contains("1000 micrograms") && !shown.contains("Vasopressin"))
        #expect(obj["falls_back"] as? Bool == true, "the answering sentence is unsupported")
    }

    @Test func plainOutputReadsFromStandardInput() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("c.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let r = try await Bin.run(
            ["check", "--question", Self.question, "--answer", "-"], env: env,
            stdin: "Give adults 0.5 mg of adrenaline intramuscularly [2]. Antihistamines are part of the initial emergency treatment [2].")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("Sources (numbered as in the LLM prompt)"))
        #expect(r.stdout.contains("REATTRIBUTED  [2] → [1]  Give adults 0.5 mg"), "\(r.stdout)")
        #expect(r.stdout.contains("UNSUPPORTED  [2]  Antihistamines are part"), "\(r.stdout)")
        #expect(r.stdout.contains("reason:"))
    }

    @Test func badInputIsReportedPlainly() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("c.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        let missing = try await Bin.run(["check", "--question", Self.question, "--answer", s.file("nope.txt")], env: env)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Cannot read the answer file"))
        let help = try await Bin.run(["check", "--help"])
        #expect(help.stdout.contains("--answer") && help.stdout.contains("--question") && help.stdout.contains("--json"))
    }
}
