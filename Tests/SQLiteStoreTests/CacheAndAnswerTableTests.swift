import Core
import Foundation
import GRDB
import SharedState
import Testing

@testable import SQLiteStore

@Suite("The cache_entry table")
struct CacheTableTests {
    static func entry(_ key: String, lineage: String = "l", answerID: String = "a1", version: Int = 1, created: Double, expires: Double)
        -> CacheEntry
    {
        let created = Date(timeIntervalSince1970: created)
        let answer = Answer(answerID: answerID, question: "q", answer: "A [1].", indexVersion: version, createdAt: created)
        return CacheEntry(
            key: key, lineage: lineage, answer: answer, indexVersion: version, model: "extractive", createdAt: created,
            expiresAt: Date(timeIntervalSince1970: expires))
    }

    @Test func insertLookupAndReplace() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("c.sqlite"))
        #expect(try await db.cacheEntry(key: "k") == nil)
        try await db.putCacheEntry(Self.entry("k", created: 100, expires: 200))
        let read = try #require(try await db.cacheEntry(key: "k"))
        #expect(read == Self.entry("k", created: 100, expires: 200))
        // The same key again replaces the row (a re-generated answer), never adds one.
        try await db.putCacheEntry(Self.entry("k", answerID: "a2", created: 150, expires: 250))
        #expect(try await db.cacheEntry(key: "k")?.answer.answerID == "a2")
        #expect(try await db.cacheEntry(key: "k")?.expiresAt == Date(timeIntervalSince1970: 250))
        #expect(try await db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM cache_entry") } == 1)
        let stored = try await db.read { db in try String.fetchOne(db, sql: "SELECT answer_id FROM cache_entry WHERE key = 'k'") }
        #expect(stored == "a2")
    }

    @Test func latestOfALineageIsTheNewestWhateverItsVersionOrAge() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("c.sqlite"))
        try await db.putCacheEntry(Self.entry("v1", version: 1, created: 100, expires: 110))
        try await db.putCacheEntry(Self.entry("v3", version: 3, created: 300, expires: 310))
        try await db.putCacheEntry(Self.entry("v2", version: 2, created: 200, expires: 210))
        try await db.putCacheEntry(Self.entry("other", lineage: "m", created: 900, expires: 910))
        #expect(try await db.latestCacheEntry(lineage: "l")?.key == "v3")
        #expect(try await db.latestCacheEntry(lineage: "m")?.key == "other")
        #expect(try await db.latestCacheEntry(lineage: "none") == nil)
    }
}

@Suite("The answer table")
struct AnswerTableTests {
    static func answer(_ id: String?, _ question: String, at: Double, refused: Bool = false) -> Answer {
        Answer(
            answerID: id, question: question, answer: "Body of \(question) [1].", refused: refused, indexVersion: 2,
            createdAt: Date(timeIntervalSince1970: at))
    }

    @Test func saveAssignsAnIdOnlyWhenMissingAndRoundTrips() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("a.sqlite"))
        let fresh = try await db.saveAnswer(Self.answer(nil, "Dose?", at: 10), subject: "ana")
        let id = try #require(fresh.answerID)
        #expect(!id.isEmpty)
        #expect(try await db.answer(id: id, subject: "ana") == fresh)
        let kept = try await db.saveAnswer(Self.answer("given", "Dose?", at: 11), subject: "ana")
        #expect(kept.answerID == "given")
        let columns = try await db.read { db -> [String?] in
            let sql = "SELECT normalized_question, index_version, subject, created_at, origin_id FROM answer WHERE id = 'given'"
            let row = try Row.fetchOne(db, sql: sql)
            return row.map { r in (0..<r.count).map { i in (r[i] as DatabaseValue).description } } ?? []
        }
        #expect(columns == ["\"dose\"", "2", "\"ana\"", "11.0", "NULL"])
    }

    @Test func readsAreScopedToTheSubject() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("a.sqlite"))
        try await db.saveAnswer(Self.answer("ana-1", "Sepsis fluids?", at: 1), subject: "ana")
        try await db.saveAnswer(Self.answer("bob-1", "Sepsis pressors?", at: 2), subject: "bob")
        // Bob is served Ana's cached answer: his copy names it as its origin.
        try await db.saveAnswer(Self.answer("bob-copy", "Sepsis fluids?", at: 3), subject: "bob", originID: "ana-1")

        #expect(try await db.answer(id: "ana-1", subject: "bob") == nil)
        #expect(try await db.answer(id: "ana-1", subject: "ana")?.answerID == "ana-1")
        #expect(try await db.answer(id: "ana-1", subject: nil)?.answerID == "ana-1")
        #expect(try await db.history(subject: "ana").map(\.answerID) == ["ana-1"])
        #expect(try await db.history(subject: "bob").map(\.answerID) == ["bob-copy", "bob-1"])
        #expect(try await db.history(subject: nil).map(\.answerID) == ["bob-copy", "bob-1", "ana-1"])
        #expect(try await db.history(query: "fluids", subject: "bob").map(\.answerID) == ["bob-copy"])
        #expect(try await db.ownAnswer(originID: "ana-1", subject: "ana", question: "Sepsis fluids?")?.answerID == "ana-1")
        #expect(try await db.ownAnswer(originID: "ana-1", subject: "bob", question: "Sepsis fluids?")?.answerID == "bob-copy")
        #expect(try await db.ownAnswer(originID: "ana-1", subject: "cy", question: "Sepsis fluids?") == nil)
        #expect(try await db.answerCount(subject: "bob", since: nil) == 2)
        #expect(try await db.answerCount(subject: "bob", since: Date(timeIntervalSince1970: 3)) == 1)
    }

    @Test func historySearchEscapesWildcardsAndLimits() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("a.sqlite"))
        try await db.saveAnswer(Self.answer("pct", "What about 100% O2_sat?", at: 1), subject: "ana")
        try await db.saveAnswer(Self.answer("plain", "What about 1000 O2 sat?", at: 2), subject: "ana")
        #expect(try await db.history(query: "100%", subject: "ana").map(\.answerID) == ["pct"])
        #expect(try await db.history(query: "o2_s", subject: "ana").map(\.answerID) == ["pct"])
        #expect(try await db.history(query: "_", subject: "ana").map(\.answerID) == ["pct"])
        #expect(try await db.history(query: "zzz", subject: "ana").isEmpty)
        #expect(try await db.history(query: "  ", subject: "ana").count == 2)
        #expect(try await db.history(limit: 1, subject: "ana").map(\.answerID) == ["plain"])
        #expect(try await db.history(limit: 0, subject: "ana").count == 1) // clamped to at least one
        let entry = try #require(try await db.history(query: "1000", subject: "ana").first)
        #expect(
            entry
                == HistoryEntry(
                    answerID: "plain", question: "What about 1000 O2 sat?", refused: false, model: "extractive",
                    indexVersion: 2, createdAt: Date(timeIntervalSince1970: 2)))
    }
}
