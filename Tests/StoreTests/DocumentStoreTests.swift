import Core
import Foundation
import Testing
@testable import Store

@Suite("Documents, chunks, FTS, answers, cache, audit")
struct DocumentStoreTests {
    func chunk(_ doc: Document, _ text: String, ordinal: Int = 0) -> Chunk {
        let range = doc.text.range(of: text)!
        let s = doc.text.utf8.distance(from: doc.text.utf8.startIndex, to: range.lowerBound)
        return Chunk(documentID: doc.id, ordinal: ordinal, sectionPath: ["S"], text: text, start: s, end: s + text.utf8.count)
    }

    @Test func ingestIsIdempotentAndVersioned() throws {
        let dir = try TempDirectory(); defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("d.sqlite"))
        let doc = Document(id: "a", title: "Alpha", text: "Sepsis needs fluids. Shock needs pressors.")
        let r1 = try db.ingest([(doc, [chunk(doc, "Sepsis needs fluids."), chunk(doc, "Shock needs pressors.", ordinal: 1)])])
        #expect(r1.outcomes == [.added])
        #expect(r1.indexVersion == 1)
        let r2 = try db.ingest([(doc, [chunk(doc, "Sepsis needs fluids.")])])
        #expect(r2.outcomes == [.unchanged])
        #expect(r2.indexVersion == 1)
        #expect(try db.counts().chunks == 2)
        var changed = doc
        changed.text = "Sepsis needs early antibiotics."
        let r3 = try db.ingest([(changed, [chunk(changed, "Sepsis needs early antibiotics.")])])
        #expect(r3.outcomes == [.replaced])
        #expect(r3.indexVersion == 2)
        #expect(try db.counts() == (1, 1))
        #expect(try db.searchFTS(match: "\"pressors\"", limit: 5).isEmpty)
        #expect(try db.searchFTS(match: "\"antibiotics\"", limit: 5).count == 1)
    }

    @Test func ftsSearchRanksAndFilters() throws {
        let dir = try TempDirectory(); defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("d.sqlite"))
        let a = Document(id: "a", title: "Asthma", text: "Give salbutamol for acute asthma.", metadata: ["year": .string("2019"), "mesh": .array([.string("Asthma")])])
        let b = Document(id: "b", title: "Anaphylaxis", text: "Give adrenaline intramuscularly for anaphylaxis.", metadata: ["year": .number(2021)])
        _ = try db.ingest([(a, [chunk(a, a.text)]), (b, [chunk(b, b.text)])])
        let hits = try db.searchFTS(match: "\"give\" OR \"anaphylaxis\"", limit: 5)
        #expect(hits.first?.chunk.documentID == "b")
        #expect(hits.count == 2)
        #expect(hits[0].score >= hits[1].score)
        #expect(try db.searchFTS(match: "\"give\"", limit: 5, filters: ["year": "2021"]).map(\.chunk.documentID) == ["b"])
        #expect(try db.searchFTS(match: "\"give\"", limit: 5, filters: ["mesh": "Asthma"]).map(\.chunk.documentID) == ["a"])
        #expect(try db.searchFTS(match: "\"give\"", limit: 5, filters: ["source_id": "a"]).map(\.chunk.documentID) == ["a"])
        #expect(try db.searchFTS(match: "\"give\"", limit: 5, filters: ["year": "1999"]).isEmpty)
    }

    @Test func answersHistoryCacheAndAudit() throws {
        let dir = try TempDirectory(); defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("d.sqlite"))
        let saved = try db.saveAnswer(Answer(question: "What about 100% O2_sat?", answer: "Text [1]."), subject: "ana")
        #expect(saved.answerID != nil)
        #expect(try db.answer(id: saved.answerID!)?.answer == "Text [1].")
        #expect(try db.history(query: "100%").count == 1)
        #expect(try db.history(query: "o2_s").count == 1)
        #expect(try db.history(query: "_").count == 1)
        #expect(try db.history(query: "zzz").isEmpty)
        #expect(try db.latestAnswer(normalizedQuestion: "what about 100% o2_sat")?.answerID == saved.answerID)

        let now = Date()
        let entry = CacheEntry(key: "k1", lineage: "l", answer: saved, indexVersion: 1, model: "extractive", createdAt: now.addingTimeInterval(-100), expiresAt: now.addingTimeInterval(-50))
        try db.putCacheEntry(entry)
        try db.putCacheEntry(CacheEntry(key: "k2", lineage: "l", answer: saved, indexVersion: 2, model: "extractive", createdAt: now, expiresAt: now.addingTimeInterval(-1)))
        #expect(try db.cacheEntry(key: "k1")?.answer.answerID == saved.answerID)
        #expect(try db.latestCacheEntry(lineage: "l")?.key == "k2")
        #expect(try db.purgeCache(expiredBefore: now) == 1)  // the newest of the lineage is kept for stale-if-error
        #expect(try db.cacheEntry(key: "k2") != nil)

        try db.appendAuditNow(AuditRecord(answer: saved, subject: "ana", requestID: "r1"))
        let audit = try db.auditRecords()
        #expect(audit.count == 1)
        #expect(audit[0].subject == "ana")
        #expect(audit[0].question == "What about 100% O2_sat?")
    }
}
