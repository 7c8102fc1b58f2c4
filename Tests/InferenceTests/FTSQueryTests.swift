import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

@Suite("FTS query sanitising")
struct FTSQueryTests {
    @Test func operatorsAndPunctuationBecomeInertTerms() {
        #expect(FTSQuery.match(terms: FTSQuery.terms("sepsis AND \"shock\" NEAR(fluid*)")) == #""sepsis" OR "shock" OR "near" OR "fluid""#)
        #expect(FTSQuery.match(terms: FTSQuery.terms("😀 ??? ***")) == "")
        #expect(FTSQuery.terms("What is the dose?") == ["dose"])
        #expect(FTSQuery.terms("what is it") == ["what", "is", "it"]) // stop words only: still searched
        #expect(FTSQuery.terms(String(repeating: "word", count: 1) + (0..<500).map { " t\($0)" }.joined()).count == FTSQuery.maxTerms)
    }

    /// Random punctuation, operators, quotes and Unicode must never make FTS5 fail.
    @Test func randomTextNeverBreaksTheQuery() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try await bed.db.ingest([
            (
                Document(id: "d", title: "Sepsis", text: "Sepsis fluids"),
                [Chunk(documentID: "d", ordinal: 0, sectionPath: [], text: "Sepsis fluids", start: 0, end: 13)]
            )
        ])
        let retriever = BM25Retriever(database: bed.db)
        let alphabet: [String] = [
            "\"", "'", "(", ")", "*", "^", ":", "-", "+", "NEAR", "AND", "OR", "NOT", "{", "}", "[", "]", ",", ".",
            "😀", "👩‍⚕️", "日本", "é", "\u{0301}", "\u{200B}", "\0", "\\", "/", "%", "_", "sepsis", "fluid", " ", "\n", "\t", "ß", "İ", "٣",
        ]
        var rng = SplitMix64(seed: 42)
        for _ in 0..<400 {
            let n = Int(rng.next() % 30) + 1
            let text = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined()
            _ = try await retriever.retrieveFTS5(text, topK: 5)
        }
        let huge = String(repeating: "sepsis \"(* NEAR/3 ", count: 600) // ~10 KB
        #expect(huge.utf8.count > 10_000)
        #expect(try await retriever.retrieveFTS5(huge, topK: 5).count == 1)
        for s in ["\"unbalanced", "(((", "a OR", "NEAR(", "col:sepsis", "-sepsis", "^sepsis", "sepsis*"] {
            _ = try await retriever.retrieveFTS5(s, topK: 5)
        }
        #expect(try await retriever.retrieveFTS5("sepsis*", topK: 5).count == 1)
    }
}
