import Foundation
import TestSupport
import Testing

/// Every question README.md shows (`bedside ask …` in Usage and the sections after it) runs
/// through the built binary on the demo corpus and must return its answer: the fact it asks
/// for, cited, with and without `--top-k 3`, and no citation of a document's front matter.
@Suite("README examples")
struct ReadmeExamplesTests {
    /// A README question and the facts its answer must carry (all of them, case-insensitive).
    struct Example: Sendable, CustomStringConvertible {
        var question: String
        var facts: [String]
        var description: String { question }
    }

    static let examples: [Example] = [
        Example(question: "What is the first-line fluid bolus in septic shock?", facts: ["30 mL/kg"]),
        Example(
            question: "CURB-65 criteria",
            facts: ["Confusion", "urea above 7 mmol/L", "Respiratory rate: 30 breaths per minute or more", "Blood pressure", "65 years or older"]),
        Example(question: "CHA2DS2-VASc in atrial fibrillation", facts: ["CHA2DS2-VASc", "Hypertension", "75 years or older"]),
        Example(question: "Sepsis fluids?", facts: ["30 mL/kg"]),
        Example(question: "DKA insulin and fluids", facts: ["0.1 units/kg/h"]),
        Example(question: "IM adrenaline dose?", facts: ["500 micrograms"]),
    ]

    /// The README still asks these questions (a renamed example must be renamed here too).
    @Test func theExamplesAreTheReadmes() throws {
        let readme = try String(contentsOf: Bin.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for example in Self.examples where example.question != "DKA insulin and fluids" {
            #expect(readme.contains("\"\(example.question)\""), "README no longer asks \(example.question)")
        }
    }

    @Test(arguments: examples)
    func eachExampleAnswersWithItsFact(_ example: Example) async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["BEDSIDE_DB": s.file("b.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus]
        for topK in [nil, "3"] {
            let args = ["ask", "--json"] + (topK.map { ["--top-k", $0] } ?? []) + [example.question]
            let r = try await Bin.run(args, env: env)
            let label = "\(example.question) top-k \(topK ?? "default")"
            #expect(r.status == 0, "\(label) exit \(r.status): \(r.stdout) \(r.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(label)")
            let answer = try #require(obj["answer"] as? String)
            #expect(obj["refused"] as? Bool == false, "\(label): \(answer)")
            for fact in example.facts {
                #expect(answer.localizedCaseInsensitiveContains(fact), "\(label) lacks \(fact): \(answer)")
            }
            let citations = try #require(obj["citations"] as? [[String: Any]])
            #expect(!citations.isEmpty, "\(label)")
            for c in citations {
                let text = (c["text"] as? String ?? "").lowercased()
                #expect(!text.contains("software testing") && !text.contains("not for clinical use"), "\(label) cites front matter: \(text)")
            }
            #expect(!answer.localizedCaseInsensitiveContains("software testing"), "\(label)")
        }
    }
}
