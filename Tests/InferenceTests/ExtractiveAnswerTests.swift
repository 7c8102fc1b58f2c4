import Core
import Foundation
import Testing

@testable import Inference

/// Extractive answers read like an answer: the answering sentence first, off-focus sentences
/// left out, near-duplicates merged, a length cap, every sentence cited.
@Suite("Extractive answers")
struct ExtractiveAnswerTests {
    static func passage(_ id: Int64, _ doc: String, _ text: String) -> RetrievedPassage {
        RetrievedPassage(
            chunk: Chunk(id: id, documentID: doc, ordinal: 0, sectionPath: ["Treatment"], text: text, start: 0, end: text.utf8.count),
            title: "Anaphylaxis", score: 1)
    }

    static let passages = [
        passage(
            1, "anaphylaxis",
            "Anaphylaxis is a severe, life-threatening systemic hypersensitivity reaction. Repeat the adrenaline dose after 5 minutes if there is no improvement. The IM adrenaline dose is 500 micrograms for adults and children over 12 years."
        ),
        passage(2, "anaphylaxis-copy", "The IM adrenaline dose is 500 micrograms for adults and children over 12 years of age."),
        passage(3, "triggers", "Anaphylaxis often follows insect stings, foods and drugs in adults."),
    ]

    /// "What is the IM adrenaline dose in anaphylaxis?" with IDF-like weights: "anaphylaxis"
    /// is common in this index, "adrenaline", "dose" and "im" are the focus.
    static let evidence = EvidenceScorer.Weighted(
        terms: [
            (stem: "im", weight: 2.2), (stem: "adrenalin", weight: 3.0),
            (stem: "dose", weight: 2.0), (stem: "anaphylaxi", weight: 0.8),
        ], total: 8.0)

    @Test func theAnsweringSentenceComesFirstAndOffFocusOnesAreLeftOut() async throws {
        let a = try await ExtractiveGenerator().generate(
            question: "What is the IM adrenaline dose in anaphylaxis?", passages: Self.passages,
            evidence: Self.evidence
        ) { _ in }
        let texts = a.sentences.map(\.text)
        #expect(texts.first == "The IM adrenaline dose is 500 micrograms for adults and children over 12 years [1].", "\(texts)")
        #expect(texts.count == 2)
        #expect(texts.last?.hasPrefix("Repeat the adrenaline dose after 5 minutes") == true)
        // The definition and the triggers name nothing the question is about.
        #expect(!a.answer.contains("hypersensitivity") && !a.answer.contains("insect"))
        // The same statement from the copy is merged into the first: only one source is cited.
        #expect(a.citations.map(\.sourceID) == ["anaphylaxis"])
        #expect(a.sentences.allSatisfy { $0.citations == [1] && !$0.unsupported })
    }

    @Test func theLengthCapKeepsTheAnsweringSentence() async throws {
        let g = ExtractiveGenerator(maxCharacters: 60)
        let a = try await g.generate(question: "q", passages: Self.passages, evidence: Self.evidence) { _ in }
        #expect(a.sentences.count == 1)
        #expect(a.sentences.first?.text.hasPrefix("The IM adrenaline dose is 500 micrograms") == true)
    }

    @Test func nearDuplicatesAreMeasuredOnContentTerms() {
        let a = Set(CitationVerifier.terms("The IM adrenaline dose is 500 micrograms for adults."))
        let b = Set(CitationVerifier.terms("For adults the IM adrenaline dose is 500 micrograms of adrenaline."))
        let c = Set(CitationVerifier.terms("Repeat the dose after 5 minutes."))
        #expect(ExtractiveGenerator.similarity(a, b) >= 0.6)
        #expect(ExtractiveGenerator.similarity(a, c) < 0.6)
    }
}
