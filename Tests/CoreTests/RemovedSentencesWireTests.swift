import Core
import Foundation
import Testing

@Suite("Answer wire: removed_sentences")
struct RemovedSentencesWireTests {
    @Test func roundTripsAndOldJSONStillDecodes() throws {
        let a = Answer(
            question: "q", answer: "Give 500 micrograms [1].",
            removedSentences: [RemovedSentence(text: "Give 1000 micrograms.", reason: "[1] does not state 1000 micrograms")])
        let data = try WireCoding.encoder().encode(a)
        #expect(
            String(decoding: data, as: UTF8.self).contains(
                "\"removed_sentences\":[{\"reason\":\"[1] does not state 1000 micrograms\",\"text\":\"Give 1000 micrograms.\"}]"))
        let back = try WireCoding.decoder().decode(Answer.self, from: data)
        #expect(back.removedSentences == a.removedSentences)
        // A cached answer from before the field existed.
        let old = try WireCoding.decoder().decode(Answer.self, from: Data(#"{"question":"q","answer":"a","citations":[]}"#.utf8))
        #expect(old.removedSentences.isEmpty)
    }
}
