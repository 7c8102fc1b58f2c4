import Core
import Foundation
import Testing

/// The `spans` of answer sentences on the wire: present in new answers, absent in old ones.
@Suite("Source spans on the wire")
struct SourceSpanWireTests {
    /// An answer as the cache, replicas and gateways stored it before spans existed.
    static let oldAnswerJSON = """
        {"answer_id":"a-1","question":"What is the first-line fluid bolus?","answer":"Give 30 mL/kg of crystalloid [1].",
         "sentences":[{"text":"Give 30 mL/kg of crystalloid [1].","citations":[1],"unsupported":false}],
         "refused":false,"cached":true,"stale":false,"incomplete":false,
         "citations":[{"n":1,"source_id":"sepsis","chunk_id":7,"title":"Sepsis","section":"Fluids","score":1.5,
                       "text":"Give 30 mL/kg of crystalloid.","start":40,"end":70}],
         "nearest_sources":[],"removed_citations":[],"index_version":3,"model":"extractive","retriever":"bm25",
         "latency_ms":12.5,"created_at":"2026-11-30T10:00:00Z"}
        """

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }

    @Test func oldAnswersWithoutSpansDecode() throws {
        let a = try Self.decoder().decode(Answer.self, from: Data(Self.oldAnswerJSON.utf8))
        #expect(a.sentences.count == 1)
        #expect(a.sentences[0].spans == [])
        #expect(a.sentences[0].citations == [1])
        #expect(a.spans(forCitation: 1) == [])
        #expect(a.citations[0].start == 40)
    }

    @Test func spansRoundTripWithSnakeCaseKeys() throws {
        let span = SourceSpan(citation: 1, documentID: "sepsis", start: 40, end: 70)
        let sentence = AnswerSentence(text: "Give 30 mL/kg of crystalloid [1].", citations: [1], spans: [span])
        let data = try JSONEncoder().encode(sentence)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let spans = try #require(object["spans"] as? [[String: Any]])
        #expect(spans.first?["source_id"] as? String == "sepsis")
        #expect(spans.first?["citation"] as? Int == 1)
        #expect(spans.first?["start"] as? Int == 40 && spans.first?["end"] as? Int == 70)
        #expect(try JSONDecoder().decode(AnswerSentence.self, from: data) == sentence)
    }

    @Test func aSpanQuotesItsPassageAndOnlyItsPassage() {
        let c = Citation(
            n: 1, sourceID: "sepsis", chunkID: 7, title: "Sepsis", section: "", score: 1,
            text: "Start fluids. Give 30 mL/kg of crystalloid.", start: 100, end: 143)
        #expect(c.quote(SourceSpan(citation: 1, documentID: "sepsis", start: 114, end: 143)) == "Give 30 mL/kg of crystalloid.")
        #expect(c.quote(SourceSpan(citation: 1, documentID: "sepsis", start: 90, end: 113)) == nil) // starts before the passage
        #expect(c.quote(SourceSpan(citation: 1, documentID: "sepsis", start: 114, end: 150)) == nil) // ends after it
        #expect(c.quote(SourceSpan(citation: 2, documentID: "sepsis", start: 114, end: 143)) == nil) // another citation
        #expect(c.quote(SourceSpan(citation: 1, documentID: "other", start: 114, end: 143)) == nil)
    }

    @Test func spansForACitationAreInDocumentOrderWithoutRepeats() {
        let a = SourceSpan(citation: 1, documentID: "d", start: 50, end: 60)
        let b = SourceSpan(citation: 1, documentID: "d", start: 10, end: 20)
        let other = SourceSpan(citation: 2, documentID: "e", start: 0, end: 5)
        let answer = Answer(
            question: "q", answer: "x",
            sentences: [
                AnswerSentence(text: "One [1].", citations: [1], spans: [a]),
                AnswerSentence(text: "Two [1][2].", citations: [1, 2], spans: [b, a, other]),
            ])
        #expect(answer.spans(forCitation: 1) == [b, a])
        #expect(answer.spans(forCitation: 2) == [other])
        #expect(answer.spans(forCitation: 3) == [])
    }
}
