import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// The checker against hand-written model outputs over the real demo corpus (see
/// `VerifierCorpus`): the demo documents are ingested through the real chunker, each
/// question is retrieved with BM25 and numbered by the real prompt builder, and each output
/// is verified as if the LLM had written it.
@Suite("Citation checker: hand-written model outputs over the demo corpus", .serialized)
struct VerifierCorpusTests {
    static let demoCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpus/demo").path
    static var hasDemo: Bool { FileManager.default.fileExists(atPath: demoCorpus) }

    /// Replaces `[@doc#Section]` with the prompt number of that passage (`[9]` when absent).
    static func resolve(_ output: String, _ prompt: PromptBuilder.Prompt) -> String {
        var out = output
        while let open = out.range(of: "[@"), let close = out[open.upperBound...].firstIndex(of: "]") {
            let ref = String(out[open.upperBound..<close])
            let parts = ref.split(separator: "#", maxSplits: 1).map(String.init)
            let n =
                prompt.sources.first {
                    $0.passage.chunk.documentID == parts[0] && $0.passage.chunk.section.hasPrefix(parts.count > 1 ? parts[1] : "")
                }?.n ?? 9
            out.replaceSubrange(open.lowerBound...close, with: "[\(n)]")
        }
        return out
    }

    @Test(.enabled(if: hasDemo)) func catchesUnfaithfulAndPassesFaithfulSentences() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try await Ingestor(database: bed.db).ingest(paths: [Self.demoCorpus])
        let retriever = BM25Retriever(database: bed.db)
        var faithful = 0
        var passed = 0
        var unfaithful = 0
        var caught = 0
        var empty = 0
        var dropped = 0
        var misses: [String] = []
        var byKind: [String: (Int, Int)] = [:]
        for c in VerifierCorpus.cases {
            let passages = try await retriever.retrieve(c.question, topK: QueryRequest.defaultTopK, filters: [:])
            let prompt = PromptBuilder().build(question: c.question, passages: passages)
            let text = Self.resolve(c.output, prompt)
            let result = CitationVerifier().verify(text, sources: LLMGenerator.verifierSources(prompt))
            if let debug = ProcessInfo.processInfo.environment["VERIFIER_CORPUS_DEBUG"], debug == c.id {
                let texts = LLMGenerator.verifierSources(prompt).map { ClaimChecker.SourceText(n: $0.n, header: $0.header, text: $0.text) }
                let known = texts.reduce(into: Set<String>()) { $0.formUnion($1.allTerms) }
                for v in result.verdicts {
                    print("DEBUG \(v.text)")
                    for t in texts {
                        let r = ClaimChecker().check(ClaimText(v.text), against: t, known: known)
                        print("DEBUG   [\(t.n)] \(r.backed) \(r.coverage) \(r.reason)")
                    }
                }
            }
            for e in c.expect {
                guard let v = result.verdicts.first(where: { $0.text.hasPrefix(e.prefix) }) else {
                    Issue.record("\(c.id): no sentence starts with \"\(e.prefix)\"; sentences: \(result.verdicts.map(\.text))")
                    continue
                }
                let shown = v.kind == .supported || v.kind == .reattributed
                switch e.label {
                case .faithful:
                    faithful += 1
                    if shown { passed += 1 } else { misses.append("FAITHFUL REJECTED \(c.id): \(v.text) — \(v.kind.rawValue): \(v.reason)") }
                case .unfaithful:
                    unfaithful += 1
                    if !shown {
                        caught += 1
                    } else {
                        misses.append("UNFAITHFUL PASSED \(c.id) (\(c.kind)): \(v.text) — cited \(v.citations); truth: \(e.why)")
                    }
                    var k = byKind[c.kind, default: (0, 0)]
                    k.0 += 1
                    if !shown { k.1 += 1 }
                    byKind[c.kind] = k
                case .empty:
                    empty += 1
                    if v.kind == .dropped { dropped += 1 } else { misses.append("NOT DROPPED \(c.id): \(v.text) — \(v.kind.rawValue)") }
                }
            }
        }
        let catchRate = Double(caught) / Double(max(1, unfaithful))
        let passRate = Double(passed) / Double(max(1, faithful))
        print(
            "verifier corpus: \(VerifierCorpus.cases.count) outputs; unfaithful sentences caught \(caught)/\(unfaithful) = \(String(format: "%.3f", catchRate)); faithful passed \(passed)/\(faithful) = \(String(format: "%.3f", passRate)); content-free dropped \(dropped)/\(empty)"
        )
        for (kind, k) in byKind.sorted(by: { $0.key < $1.key }) { print("  \(kind): caught \(k.1)/\(k.0)") }
        for m in misses { print("  " + m) }
        #expect(VerifierCorpus.cases.count >= 60)
        #expect(catchRate >= 0.95, "catch rate \(catchRate)")
        #expect(passRate >= 0.90, "pass rate \(passRate)")
        #expect(dropped == empty, "every content-free lead-in is dropped")
    }
}
