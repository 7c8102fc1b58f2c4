import Core
import Foundation
import PostgresStore
import SQLiteStore
import SharedState
import TestSupport
import Testing

/// Issue 19, finding 1, at the store: a subject's own record of a cached answer is found by
/// the words they asked it in, on PostgreSQL (two instances, as two gateways) and on SQLite
/// alike, so a hit never shows one subject another subject's question.
extension PostgresGatewayStateTests {
    @Test func ownRecordsAreFoundByTheSubjectsOwnWords() async throws {
        try await withStores(2) { stores in try await Self.checkOwnRecordWording(save: stores[0], find: stores[1]) }
        let folder = try TempDirectory(prefix: "bedside-own-wording")
        defer { folder.cleanup() }
        let sqlite = try BedsideDatabase(path: folder.file("t.sqlite"))
        defer { try? sqlite.close() }
        try await Self.checkOwnRecordWording(save: sqlite, find: sqlite)
    }

    static func checkOwnRecordWording(save: any GatewayStateStore, find: any GatewayStateStore) async throws {
        let alice = "Sepsis fluid bolus for Patient John SMITH in bed 12?"
        let carol = "sepsis fluid bolus for patient john smith in bed 12??"
        let carolAgain = "SEPSIS fluid bolus for patient john smith in bed 12"
        func answer(_ q: String, at: Double) -> Answer {
            Answer(question: q, answer: "Give 30 mL/kg [1].", model: "m", createdAt: Date(timeIntervalSince1970: at))
        }
        let origin = try #require(try await save.saveAnswer(answer(alice, at: 100), subject: "alice", originID: nil).answerID)
        // The owner in her own words: the answer itself; in other words, or anyone else: nothing yet.
        #expect(try await find.ownAnswer(originID: origin, subject: "alice", question: alice)?.answerID == origin)
        #expect(try await find.ownAnswer(originID: origin, subject: "alice", question: carol) == nil)
        #expect(try await find.ownAnswer(originID: origin, subject: "carol", question: carol) == nil)
        #expect(try await find.ownAnswer(originID: origin, subject: "carol", question: alice) == nil)
        // Carol's copies, one per wording, each with her words and her time.
        let first = try await save.saveAnswer(answer(carol, at: 200), subject: "carol", originID: origin)
        let second = try await save.saveAnswer(answer(carolAgain, at: 300), subject: "carol", originID: origin)
        let found = try #require(try await find.ownAnswer(originID: origin, subject: "carol", question: carol))
        #expect(found.answerID == first.answerID && found.question == carol && found.createdAt == Date(timeIntervalSince1970: 200))
        let again = try #require(try await find.ownAnswer(originID: origin, subject: "carol", question: carolAgain))
        #expect(again.answerID == second.answerID && again.question == carolAgain && again.createdAt == Date(timeIntervalSince1970: 300))
        #expect(try await find.ownAnswer(originID: origin, subject: "carol", question: alice) == nil)
        // Her history and answers hold her words only.
        let history = try await find.history(query: nil, limit: 10, subject: "carol")
        #expect(Set(history.map(\.question)) == [carol, carolAgain])
        let listed = try await find.answers(subject: "carol", since: nil, after: nil, limit: 10).items
        #expect(listed.map(\.question) == [carol, carolAgain])
        #expect(!listed.contains { $0.question == alice })
    }
}
