import Core
import Foundation
import Testing

@testable import SQLiteStore

@Suite("Documents, chunks, FTS, answers, cache, audit")
struct DocumentStoreTests {
    func chunk(_ doc: Document, _ text: String, ordinal: Int = 0) -> Chunk {
        let range = doc.text.range(of: text)!
        let s = doc.text.utf8.distance(from: doc.text.utf8.startIndex, to: range.lowerBound)
        return Chunk(documentID: doc.id, ordinal: ordinal, sectionPath: ["S"], text: text, start: s, end: s + text.utf8.count)
    }

    @Test func ingestIsIdempotentAndVersioned() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("d.sqlite"))
        let doc = Document(id: "a", title: "Alpha", text: "Sepsis needs fluids. Shock needs pressors.")
        let r1 = try await db.ingest([(doc, [chunk(doc, "Sepsis needs fluids."), chunk(doc, "Shock needs pressors.", ordinal: 1)])])
        #expect(r1.outcomes == [.added])
        #expect(r1.indexVersion == 1)
        let r2 = try await db.ingest([(doc, [chunk(doc, "Sepsis needs fluids.")])])
        #expect(r2.outcomes == [.unchanged])
        #expect(r2.indexVersion == 1)
        #expect(try await db.counts().chunks == 2)
        var changed = doc
        changed.text = "Sepsis needs early antibiotics."
        let r3 = try await db.ingest([(changed, [chunk(changed, "Sepsis needs early antibiotics.")])])
        #expect(r3.outcomes == [.replaced])
        #expect(r3.indexVersion == 2)
        #expect(try await db.counts() == (1, 1))
        #expect(try await db.searchFTS(match: "\"pressors\"", limit: 5).isEmpty)
        #expect(try await db.searchFTS(match: "\"antibiotics\"", limit: 5).count == 1)
    }

    @Test func ftsSearchRanksAndFilters() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("d.sqlite"))
        let a = Document(
            id: "a", title: "Asthma", text: "Give salbutamol for acute asthma.",
            metadata: ["year": .string("2019"), "mesh": .array([.string("Asthma")])])
        let b = Document(id: "b", title: "Anaphylaxis", text: "Give adrenaline intramuscularly for anaphylaxis.", metadata: ["year": .number(2021)])
        _ = try await db.ingest([(a, [chunk(a, a.text)]), (b, [chunk(b, b.text)])])
        let hits = try await db.searchFTS(match: "\"give\" OR \"anaphylaxis\"", limit: 5)
        #expect(hits.first?.chunk.documentID == "b")
        #expect(hits.count == 2)
        #expect(hits[0].score >= hits[1].score)
        #expect(try await db.searchFTS(match: "\"give\"", limit: 5, filters: ["year": "2021"]).map(\.chunk.documentID) == ["b"])
        #expect(try await db.searchFTS(match: "\"give\"", limit: 5, filters: ["mesh": "Asthma"]).map(\.chunk.documentID) == ["a"])
        #expect(try await db.searchFTS(match: "\"give\"", limit: 5, filters: ["source_id": "a"]).map(\.chunk.documentID) == ["a"])
        #expect(try await db.searchFTS(match: "\"give\"", limit: 5, filters: ["year": "1999"]).isEmpty)
    }
}
