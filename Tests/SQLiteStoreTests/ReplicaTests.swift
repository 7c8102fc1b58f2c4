import Core
import Foundation
import GRDB
import SharedState
import Testing

@testable import SQLiteStore

@Suite("Workstation replica")
struct ReplicaTests {
    static let identity = ReplicaIdentity(gatewayURL: "http://127.0.0.1:8787", subject: "dr.ada")

    static func answer(_ id: String, question: String, at seconds: Double, chunks: [Int64] = [11], text: String = "passage") -> Answer {
        let citations = chunks.enumerated().map { i, c in
            Citation(n: i + 1, sourceID: "doc-\(c)", chunkID: c, title: "Doc \(c)", section: "S", score: 1, text: text, start: 0, end: 7)
        }
        return Answer(
            answerID: id, question: question, answer: "Give fluids [1].",
            sentences: [AnswerSentence(text: "Give fluids [1].", citations: [1])], citations: citations,
            indexVersion: 4, createdAt: Date(timeIntervalSince1970: seconds))
    }

    static func source(_ chunk: Int64, document: String = "doc", text: String = "Intro. passage here.") -> SourceDocument {
        SourceDocument(
            chunkID: chunk, documentID: document, title: "Sepsis", section: "Fluids", passage: "passage",
            documentText: text, start: 7, end: 14, spans: [.init(chunkID: chunk, section: "Fluids", start: 7, end: 14)])
    }

    @Test func keepsAnswersAndSourcesAndReplaysThem() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = Replica.path(for: Self.identity, dataDirectory: dir.path)
        let replica = try Replica.open(path: path, identity: Self.identity, limits: ReplicaLimits())
        try await replica.record(Self.answer("a1", question: "Fluid bolus in septic shock?", at: 1000))
        try await replica.record(Self.answer("a2", question: "Fluid bolus in septic shock?", at: 2000))
        try await replica.record(Self.answer("a3", question: "CURB-65 criteria", at: 1500))
        // The same answer received again (say, served stale by the gateway) is not a second row.
        try await replica.record(Self.answer("a3", question: "CURB-65 criteria", at: 1500))
        #expect(try await replica.latestAnswer(question: "  fluid BOLUS in septic shock? ")?.answerID == "a2")
        #expect(try await replica.latestAnswer(question: "never asked") == nil)
        #expect(try await replica.history(query: nil, limit: 10).map(\.answerID) == ["a2", "a3", "a1"])
        #expect(try await replica.history(query: "curb", limit: 10).map(\.answerID) == ["a3"])
        #expect(try await replica.answer(id: "a1")?.question == "Fluid bolus in septic shock?")

        let citation = Self.answer("a1", question: "q", at: 1).citations[0]
        #expect(try await replica.holdsSource(for: citation) == false)
        try await replica.record(Self.source(11), indexVersion: 4)
        #expect(try await replica.holdsSource(for: citation))
        let doc = try #require(try await replica.source(chunkID: 11))
        #expect(doc.documentText == "Intro. passage here.")
        #expect(doc.start == 7 && doc.end == 14 && doc.spans.count == 1)
        // A re-ingested document cites other text under the same chunk id: fetched again.
        var changed = citation
        changed.text = "a different passage"
        #expect(try await replica.holdsSource(for: changed) == false)
    }

    @Test func documentsAreKeptOncePerContentHash() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let replica = try Replica.open(path: dir.file("r.sqlite"), identity: Self.identity, limits: ReplicaLimits())
        try await replica.record(Self.answer("a1", question: "q", at: 1, chunks: [11, 12]))
        try await replica.record(Self.source(11), indexVersion: 1)
        try await replica.record(Self.source(12), indexVersion: 1)
        #expect(try await replica.summary().documents == 1)
        // The document changed: a new content hash, the old text goes once nothing points at it.
        try await replica.record(Self.source(11, text: "Intro. passage here, revised."), indexVersion: 2)
        try await replica.record(Self.source(12, text: "Intro. passage here, revised."), indexVersion: 2)
        #expect(try await replica.summary().documents == 1)
        #expect(try await replica.source(chunkID: 12)?.documentText == "Intro. passage here, revised.")
    }

    @Test func filesArePrivate() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = Replica.path(for: Self.identity, dataDirectory: dir.path)
        let replica = try Replica.open(path: path, identity: Self.identity)
        try await replica.record(Self.answer("a1", question: "q", at: 1))
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(Replica.directory(dataDirectory: dir.path)) == 0o700)
        for side in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + side) {
            #expect(Self.mode(path + side) == 0o600, "\(side)")
        }
        #expect(path.hasPrefix(dir.path + "/replicas/127.0.0.1_8787-dr.ada-"))
    }

    @Test func anotherGatewayOrSubjectIsNeverMixedIn() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let bob = ReplicaIdentity(gatewayURL: "http://127.0.0.1:8787/", subject: "dr.bob")
        #expect(Replica.path(for: bob, dataDirectory: dir.path) != Replica.path(for: Self.identity, dataDirectory: dir.path))
        // The same gateway spelled differently is the same replica.
        #expect(ReplicaIdentity(gatewayURL: "HTTP://127.0.0.1:8787/", subject: "x").gatewayURL == "http://127.0.0.1:8787")

        let path = dir.file("r.sqlite")
        let replica = try Replica.open(path: path, identity: Self.identity)
        try await replica.record(Self.answer("a1", question: "q", at: 1))
        try replica.database.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Replica.open(path: path, identity: bob)
        } throws: { error in
            let e = error as? BedsideError
            return e?.code == .databaseInvalid && e?.message.contains(path) == true && e?.message.contains("dr.ada") == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aForeignOrCorruptFileIsRefusedAndLeftAlone() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        // A Bedside database that is not a replica (the gateway's own file, say).
        let foreign = dir.file("main.sqlite")
        let main = try BedsideDatabase(path: foreign)
        try main.writeNow { db in try db.execute(sql: "DROP TABLE replica_meta") }
        try main.close()
        let foreignBytes = try Data(contentsOf: URL(fileURLWithPath: foreign))
        #expect {
            _ = try Replica.open(path: foreign, identity: Self.identity)
        } throws: { error in
            (error as? BedsideError)?.message.contains("\(foreign) is not a Bedside replica") == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == foreignBytes)

        // Not SQLite at all.
        let notes = dir.file("notes.sqlite")
        try Data("my notes".utf8).write(to: URL(fileURLWithPath: notes))
        #expect { _ = try Replica.open(path: notes, identity: Self.identity) } throws: { error in
            (error as? BedsideError)?.message.contains(notes) == true
        }
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "my notes")

        // A replica whose pages were damaged.
        let damaged = dir.file("damaged.sqlite")
        let r = try Replica.open(path: damaged, identity: Self.identity)
        for i in 0..<50 { try await r.record(Self.answer("a\(i)", question: "question \(i)", at: Double(i))) }
        try r.database.close()
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        for i in 4096..<min(bytes.count, 4096 * 3) { bytes[i] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect { _ = try Replica.open(path: damaged, identity: Self.identity) } throws: { error in
            (error as? BedsideError)?.message.contains(damaged) == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: damaged)) == bytes)
    }

    @Test func oldAnswersAreEvictedByAge() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let now = Date(timeIntervalSince1970: 100 * 86_400)
        let replica = try Replica.open(
            path: dir.file("r.sqlite"), identity: Self.identity,
            limits: ReplicaLimits(maxBytes: nil, maxAge: 30 * 86_400), now: { now })
        try await replica.record(Self.answer("old", question: "old question", at: 10 * 86_400, chunks: [11]))
        try await replica.record(Self.answer("new", question: "new question", at: 95 * 86_400, chunks: [12]))
        try await replica.record(Self.source(12), indexVersion: 1)
        #expect(try await replica.history(query: nil, limit: 10).map(\.answerID) == ["new"])
        #expect(try await replica.source(chunkID: 12) != nil)
    }

    @Test func theOldestAnswersGoFirstWhenTheReplicaIsFull() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("r.sqlite")
        let unbounded = try Replica.open(path: path, identity: Self.identity, limits: ReplicaLimits())
        let base = try await unbounded.database.read(Replica.usedBytes)
        try unbounded.database.close()
        let limit = base + 64 * 1024
        let replica = try Replica.open(path: path, identity: Self.identity, limits: ReplicaLimits(maxBytes: limit))
        let padding = String(repeating: "long answer text ", count: 400)
        for i in 0..<60 {
            var a = Self.answer(String(format: "a%03d", i), question: "question \(i)", at: Double(1000 + i), chunks: [Int64(100 + i)])
            a.answer = padding
            try await replica.record(a)
            try await replica.record(Self.source(Int64(100 + i), document: "d\(i)", text: padding + "\(i)"), indexVersion: 1)
        }
        #expect(try await replica.database.read(Replica.usedBytes) <= limit + 16 * 1024)
        let kept = try await replica.history(query: nil, limit: 100).map(\.answerID)
        #expect(kept.count < 60 && kept.count > 0)
        #expect(kept.first == "a059")
        // What is kept is the newest run; documents of evicted answers went with them.
        #expect(kept == (0..<kept.count).map { String(format: "a%03d", 59 - $0) })
        #expect(try await replica.source(chunkID: 100) == nil)
        #expect(try await replica.summary().documents <= kept.count)
    }

    @Test func anInterruptedSyncResumesOnlyWithTheSameSince() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let replica = try Replica.open(path: dir.file("r.sqlite"), identity: Self.identity)
        #expect(try await replica.syncCursor(since: "30d") == nil)
        try await replica.saveSyncCursor("page-3", since: "30d")
        #expect(try await replica.syncCursor(since: "30d") == "page-3")
        #expect(try await replica.syncCursor(since: "") == nil)
        try await replica.saveSyncCursor(nil, since: "30d")
        #expect(try await replica.syncCursor(since: "30d") == nil)
    }

    @Test func listingIsPerSubjectPagedAndSince() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("g.sqlite"))
        for i in 0..<5 {
            _ = try await db.saveAnswer(Self.answer("ada-\(i)", question: "q\(i)", at: Double(1000 + i)), subject: "dr.ada")
            _ = try await db.saveAnswer(Self.answer("bob-\(i)", question: "q\(i)", at: Double(1000 + i)), subject: "dr.bob")
        }
        var ids: [String] = []
        var after: AnswerListPosition?
        var pages = 0
        repeat {
            let page = try await db.answers(subject: "dr.ada", since: nil, after: after, limit: 2)
            ids += page.items.compactMap(\.answerID)
            after = page.next.flatMap { AnswerListPosition(cursor: $0.cursor) }
            pages += 1
        } while after != nil && pages < 10
        #expect(ids == (0..<5).map { "ada-\($0)" })
        #expect(pages == 3)
        #expect(try await db.answerCount(subject: "dr.ada", since: nil) == 5)
        let recent = try await db.answers(subject: "dr.ada", since: Date(timeIntervalSince1970: 1003), after: nil, limit: 10)
        #expect(recent.items.compactMap(\.answerID) == ["ada-3", "ada-4"])
        #expect(recent.next == nil)
        #expect(AnswerListPosition(cursor: "not a cursor!") == nil)
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int).map { $0 & 0o777 }
    }
}
