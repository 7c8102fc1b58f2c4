import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// A retriever that returns fixed passages (as a vector index might), so the gate's verdict
/// can be checked apart from BM25's own ranking.
private struct FixedRetriever: Retriever {
    let name = "vector"
    let passages: [RetrievedPassage]
    func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
        Array(passages.prefix(topK))
    }
}

@Suite("Relevance gate: a source must address the question's focus, not share a few words")
struct RelevanceGateTests {
    /// A corpus of `fillers` generic clinical abstracts (common words only) plus the given documents.
    static func corpus(_ extra: [Document], fillers: Int = 60) -> [Document] {
        let topics = ["asthma", "sepsis", "stroke", "anaemia", "gout", "migraine", "eczema", "pneumonia", "psoriasis", "angina"]
        var docs: [Document] = []
        for i in 0..<fillers {
            let t = topics[i % topics.count]
            docs.append(
                Document(
                    id: "filler-\(i)", title: "Study \(i)",
                    text:
                        "We studied \(t) in a cohort of adults over \(i + 2) days. Outcomes improved with treatment, and the longest follow-up was \(i + 10) months. Risk factors for \(t) were age and smoking."
                ))
        }
        return docs + extra
    }

    static let virology = Document(
        id: "virology", title: "Viral shedding",
        text:
            "Replication-competent virus was isolated from respiratory samples. The longest interval associated with replication-competent virus thus far is 20 days from symptom onset."
    )
    static let warfarin = Document(
        id: "warfarin", title: "Warfarin reversal",
        text:
            "In major bleeding on warfarin, give prothrombin complex concentrate and intravenous vitamin K. Fresh frozen plasma is a second choice when prothrombin complex concentrate is unavailable."
    )
    static let magt1 = Document(
        id: "magt1", title: "Magnesium transporter",
        text: "MAGT1 is a magnesium transporter; its function in T cells links magnesium to immunity.")

    func bed(_ docs: [Document]) async throws -> TestBed {
        let bed = try TestBed()
        _ = try await Ingestor(database: bed.db).ingest(documents: docs)
        return bed
    }

    @Test func offTopicQuestionSharingCommonWordsIsRefusedWithNearestSources() async throws {
        let bed = try await bed(Self.corpus([Self.virology, Self.warfarin]))
        defer { bed.cleanup() }
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "Which planet has the longest day?"))
        #expect(answer.refused)
        #expect(answer.citations.isEmpty)
        #expect(!answer.nearestSources.isEmpty, "a refusal still lists the nearest sources")
    }

    @Test func onTopicQuestionIsAnsweredFromTheSourceThatAddressesIt() async throws {
        let bed = try await bed(Self.corpus([Self.virology, Self.warfarin]))
        defer { bed.cleanup() }
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "How is warfarin reversed in major bleeding?"))
        #expect(!answer.refused)
        #expect(!answer.citations.isEmpty)
        #expect(answer.citations.allSatisfy { $0.sourceID == "warfarin" }, "only the source that addresses the question is quoted")
    }

    @Test func shortFullyCoveredQuestionIsAnswered() async throws {
        let bed = try await bed(Self.corpus([Self.magt1, Self.warfarin]))
        defer { bed.cleanup() }
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "What is the function of MAGT1?"))
        #expect(!answer.refused)
        #expect(answer.citations.first?.sourceID == "magt1")
    }

    @Test func oneRareWordInCommonIsACoincidenceNotAnAnswer() async throws {
        // "moon" occurs in one passage, about something else: one coincidence explains the match.
        let moon = Document(id: "moon", title: "Sleep", text: "Sleep was shorter around the full moon in this cohort of adults.")
        let bed = try await bed(Self.corpus([moon, Self.warfarin]))
        defer { bed.cleanup() }
        let p = Pipeline(database: bed.db)
        let request = try QueryRequest(question: "Who was the first person to walk on the moon?").validated()
        let a = try await p.assess(request)
        #expect(!a.judgement.answer)
        let moonEvidence = try #require(a.judgement.documents.first { $0.documentID == "moon" })
        #expect(moonEvidence.specificity < RelevanceGate.defaultMinimumSpecificity)
        #expect(a.judgement.reason.hasPrefix("refused"))
    }

    @Test func termsTheCorpusNeverContainsCountAgainstTheMatch() async throws {
        let bed = try await bed(Self.corpus([Self.warfarin]))
        defer { bed.cleanup() }
        let passages = try await BM25Retriever(database: bed.db).retrieveFTS5("warfarin bleeding", topK: 3)
        let known = try await EvidenceScorer().weigh(question: "warfarin bleeding", database: bed.db)
        let withUnknown = try await EvidenceScorer().weigh(question: "warfarin bleeding zebrafish", database: bed.db)
        #expect(withUnknown.frequencies.last == 0)
        let gate = RelevanceGate()
        let a = try #require(gate.judge(known, passages: passages).documents.first)
        let b = try #require(gate.judge(withUnknown, passages: passages).documents.first)
        #expect(a.documentID == "warfarin" && b.documentID == "warfarin")
        #expect(b.specificity < a.specificity)
        #expect(b.coverage < a.coverage)
        // Without the penalty the unknown word changes nothing about the match itself.
        let lenient = RelevanceGate(unknownTermPenalty: 0)
        #expect(abs(try #require(lenient.judge(withUnknown, passages: passages).documents.first).specificity - a.specificity) < 1e-9)
    }

    @Test func theGateJudgesPassageTextWhateverTheRetriever() async throws {
        let bed = try await bed(Self.corpus([Self.virology, Self.warfarin]))
        defer { bed.cleanup() }
        // A dense retriever ranks the virology passage first for the planet question (as MiniLM might):
        let all = try await BM25Retriever(database: bed.db).retrieveFTS5("longest interval replication competent virus warfarin bleeding", topK: 10)
        let virology = try #require(all.first { $0.chunk.documentID == "virology" })
        let warfarin = try #require(all.first { $0.chunk.documentID == "warfarin" })
        let p = Pipeline(database: bed.db, retriever: FixedRetriever(passages: [virology, warfarin]))
        let refused = try await p.complete(QueryRequest(question: "Which planet has the longest day?"))
        #expect(refused.refused)
        #expect(refused.retriever == "vector")
        #expect(refused.nearestSources.map(\.sourceID) == ["virology", "warfarin"])
        let answered = try await p.complete(QueryRequest(question: "How long is replication-competent virus isolated after symptom onset?"))
        #expect(!answered.refused)
        #expect(answered.citations.allSatisfy { $0.sourceID == "virology" })
    }

    @Test func specificityUnitIsTheIDFOfAOnePassageTerm() {
        #expect(abs(RelevanceGate.unit(chunks: 1000) - EvidenceScorer.idf(df: 1, n: 1000)) < 1e-12)
        #expect(RelevanceGate.unit(chunks: 100_000) > RelevanceGate.unit(chunks: 1000))
        #expect(RelevanceGate.unit(chunks: 0) > 0)
    }

    @Test func noPassagesOrNoWordsIsARefusal() {
        let gate = RelevanceGate()
        let q = EvidenceScorer.Weighted(terms: [("sepsis", 2.0)], total: 2, frequencies: [3], chunks: 100)
        #expect(!gate.judge(q, passages: []).answer)
        #expect(gate.judge(q, passages: []).reason == "nothing retrieved")
    }
}
