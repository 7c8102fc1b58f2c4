import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

@Suite("Retrieval settings: BM25 field weights and pseudo-relevance feedback")
struct RetrievalSettingsTests {
    func bed(_ docs: [Document]) async throws -> TestBed {
        let bed = try TestBed()
        _ = try await Ingestor(database: bed.db).ingest(documents: docs)
        return bed
    }

    @Test func fieldWeightsDecideWhetherATitleOrABodyMatchRanksFirst() async throws {
        // The same word once in a title, and once in a body of the same length.
        let bed = try await bed([
            Document(
                id: "in-title", title: "Hyperkalaemia", text: "Calcium gluconate protects the heart; insulin with glucose shifts it into cells."),
            Document(
                id: "in-body", title: "Electrolytes", text: "Calcium gluconate protects the heart in hyperkalaemia; insulin shifts it into cells."),
        ])
        defer { bed.cleanup() }
        let titleFirst = BM25Retriever(database: bed.db, fieldWeights: .init(title: 10, section: 1, body: 1))
        let bodyFirst = BM25Retriever(database: bed.db, fieldWeights: .init(title: 0, section: 0, body: 1))
        #expect(try await titleFirst.retrieveFTS5("hyperkalaemia", topK: 2).first?.chunk.documentID == "in-title")
        #expect(try await bodyFirst.retrieveFTS5("hyperkalaemia", topK: 2).first?.chunk.documentID == "in-body")
    }

    @Test func feedbackAddsTheWordsTheFirstPassagesShare() async throws {
        func hit(_ id: Int64, _ text: String) -> RetrievedPassage {
            RetrievedPassage(
                chunk: Chunk(id: id, documentID: "d\(id)", ordinal: 0, sectionPath: [], text: text, start: 0, end: text.utf8.count), title: "",
                score: 1)
        }
        let passages = [
            hit(1, "Naloxone reverses opioid toxicity; titrate naloxone to breathing."),
            hit(2, "Opioid toxicity: naloxone 400 micrograms, repeat to restore breathing."),
            hit(3, "Sepsis bundles save lives."),
        ]
        let added = BM25Retriever.feedback(terms: ["naloxone"], passages: passages, count: 3)
        // Shared by at least two passages, not already asked, not stop words or numbers.
        #expect(added == ["breathing", "opioid", "toxicity"])
        #expect(BM25Retriever.feedback(terms: ["naloxone"], passages: passages, count: 0).isEmpty)
    }

    @Test func feedbackIsOffByDefaultAndFindsPassagesWithoutTheQueryWord() async throws {
        let bed = try await bed([
            Document(id: "a", title: "Opioid overdose", text: "Naloxone reverses opioid toxicity and restores breathing."),
            Document(id: "b", title: "Opioid overdose", text: "Give naloxone again when breathing slows after opioid toxicity."),
            Document(id: "c", title: "Respiratory depression", text: "Opioid toxicity slows breathing; ventilate with a bag and mask."),
            Document(id: "d", title: "Gout", text: "Colchicine treats acute gout."),
        ])
        defer { bed.cleanup() }
        let plain = BM25Retriever(database: bed.db)
        #expect(plain.feedbackTerms == 0)
        #expect(try await plain.retrieveFTS5("naloxone", topK: 5).map(\.chunk.documentID).sorted() == ["a", "b"])
        var expanded = plain
        expanded.feedbackTerms = 3
        expanded.feedbackPassages = 2
        let ids = try await expanded.retrieveFTS5("naloxone", topK: 5).map(\.chunk.documentID)
        #expect(ids.contains("c"), "feedback words (opioid, toxicity, breathing) find the passage without 'naloxone'")
        #expect(!ids.contains("d"))
    }
}
