import Core
import Foundation
import Testing

@Suite("Core wire types")
struct CoreTests {
    @Test func answerRoundTripsWithSnakeCaseKeys() throws {
        let a = Answer(
            answerID: "x", question: "q", answer: "A [1].", sentences: [AnswerSentence(text: "A [1].", citations: [1])],
            citations: [Citation(n: 1, sourceID: "doc", chunkID: 7, title: "T", section: "S", score: 1.5, text: "A", start: 0, end: 1)],
            indexVersion: 3)
        let data = try WireCoding.encoder().encode(a)
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["answer", "refused", "cached", "stale", "citations", "answer_id", "index_version", "latency_ms"] {
            #expect(obj[key] != nil, "missing \(key)")
        }
        let c = (obj["citations"] as! [[String: Any]])[0]
        #expect(c["n"] as? Int == 1)
        #expect(c["source_id"] as? String == "doc")
        let back = try WireCoding.decoder().decode(Answer.self, from: data)
        #expect(back.citations == a.citations)
        #expect(back.answerID == "x")
    }

    @Test func queryRequestValidation() throws {
        #expect(throws: BedsideError.self) { try QueryRequest(question: "   ").validated() }
        #expect(throws: BedsideError.self) { try QueryRequest(question: "q", topK: 0).validated() }
        #expect(throws: BedsideError.self) { try QueryRequest(question: "q", topK: 51).validated() }
        #expect(throws: BedsideError.self) { try QueryRequest(question: String(repeating: "a", count: 2001)).validated() }
        #expect(try QueryRequest(question: "  sepsis?  ").validated().question == "sepsis?")
        let decoded = try JSONDecoder().decode(QueryRequest.self, from: Data(#"{"question":"x"}"#.utf8))
        #expect(decoded.topK == QueryRequest.defaultTopK)
    }

    @Test func normalizedQuestionFoldsCaseSpaceAndTrailingPunctuation() {
        #expect("  What IS   sepsis?? ".normalizedQuestion == "what is sepsis")
        #expect("Dose\tof\nadrenaline!".normalizedQuestion == "dose of adrenaline")
    }

    @Test func utf8SliceRespectsCharacterBoundaries() {
        let s = "Café ☕️ ok"
        #expect(s.utf8Slice(0, 5) == "Café")
        #expect(s.utf8Slice(0, 4) == nil) // inside é
        #expect(s.utf8Slice(0, 100) == nil)
    }

    @Test func answerEventsRoundTripThroughServerSentEvents() throws {
        let events: [AnswerEvent] = [.citations([]), .delta("Hello\nworld"), .error(BedsideError(.timeout, "slow", retryAfter: 3))]
        var parser = ServerSentEventParser()
        let wire = events.map { $0.serverSentEvent().encoded }.joined()
        let parsed = parser.feed(wire)
        #expect(try parsed.compactMap { try AnswerEvent($0) } == events)
    }
}
