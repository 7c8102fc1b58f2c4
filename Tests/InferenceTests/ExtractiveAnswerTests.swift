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

    static func section(_ id: Int64, _ doc: String, _ title: String, _ section: String, _ text: String) -> RetrievedPassage {
        RetrievedPassage(
            chunk: Chunk(id: id, documentID: doc, ordinal: Int(id), sectionPath: [section], text: text, start: 100, end: 100 + text.utf8.count),
            title: title, score: 1)
    }

    static let curbItems = """
        Each of the following items scores 1 point, giving a total from 0 to 5.

        - Confusion: new disorientation in person, place or time.
        - Urea: blood urea above 7 mmol/L.
        - Respiratory rate: 30 breaths per minute or more.
        - Blood pressure: systolic below 90 mmHg or diastolic 60 mmHg or less.
        - Age: 65 years or older.

        CRB-65 uses the same items without urea.
        """

    @Test func aListIsQuotedWholeItemByItemWithItsSpans() async throws {
        let title = "CURB-65 Severity Score for Community-Acquired Pneumonia"
        let passages = [
            Self.section(1, "curb", title, "Purpose", "CURB-65 is a five-item score that estimates the 30-day mortality of pneumonia."),
            Self.section(2, "curb", title, "Score components", Self.curbItems),
        ]
        let evidence = EvidenceScorer.Weighted(
            terms: [(stem: "curb", weight: 3.1), (stem: "65", weight: 2.3), (stem: "criteria", weight: 2.7)], total: 8.1)
        let a = try await ExtractiveGenerator().generate(question: "CURB-65 criteria", passages: passages, evidence: evidence) { _ in }
        #expect(
            a.sentences.map(\.text) == [
                "Each of the following items scores 1 point, giving a total from 0 to 5 [1].",
                "Confusion: new disorientation in person, place or time [1].", "Urea: blood urea above 7 mmol/L [1].",
                "Respiratory rate: 30 breaths per minute or more [1].",
                "Blood pressure: systolic below 90 mmHg or diastolic 60 mmHg or less [1].", "Age: 65 years or older [1].",
            ])
        // Each item's span is its own text in the document, without the list marker.
        let document = String(repeating: " ", count: 100) + Self.curbItems
        for sentence in a.sentences {
            let span = try #require(sentence.spans.first)
            let quoted = try #require(document.utf8Slice(span.start, span.end))
            #expect(sentence.text.hasPrefix(String(quoted.dropLast(quoted.hasSuffix(".") ? 1 : 0))), "\(quoted)")
        }
    }

    @Test func theRateComesFirstAndIsNeverDroppedForLength() async throws {
        let title = "Diabetic Ketoacidosis in Adults"
        let passages = [
            Self.section(
                1, "dka", title, "Resolution",
                "Once DKA has resolved, subcutaneous insulin is started and the FRIII is stopped 30 to 60 minutes after the first dose. Long-acting basal insulin should be continued throughout DKA treatment."
            ),
            Self.section(
                2, "dka", title, "Insulin and potassium",
                "A fixed-rate intravenous insulin infusion (FRIII) is started at 0.1 units/kg/h of soluble insulin. Potassium is not added to the first litre of fluid."
            ),
        ]
        let evidence = EvidenceScorer.Weighted(
            terms: [(stem: "dka", weight: 3.3), (stem: "insulin", weight: 3.2), (stem: "rate", weight: 2.0)], total: 8.5)
        let g = ExtractiveGenerator(maxCharacters: 80)
        let a = try await g.generate(question: "What is the insulin rate in DKA?", passages: passages, evidence: evidence) { _ in }
        #expect(a.sentences.first?.text.contains("0.1 units/kg/h") == true, "\(a.answer)")
        let bare = try await ExtractiveGenerator().generate(question: "DKA insulin and fluids", passages: passages, evidence: evidence) { _ in }
        #expect(bare.sentences.first?.text.contains("0.1 units/kg/h") == true, "\(bare.answer)")
    }

    @Test func disclaimersAreNeverQuoted() async throws {
        let passages = [
            Self.passage(
                1, "protocol",
                "Demo note written for software testing of the IM adrenaline dose protocol. The IM adrenaline dose is 500 micrograms for adults."
            )
        ]
        let a = try await ExtractiveGenerator().generate(question: "IM adrenaline dose?", passages: passages, evidence: Self.evidence) { _ in }
        #expect(!a.answer.contains("software testing"), "\(a.answer)")
        #expect(a.answer.contains("500 micrograms"))
    }
}
