import Core
import Foundation
import GRDB
import SharedState
import Testing

@testable import SQLiteStore

@Suite("Tokens and revocations")
struct TokenTableTests {
    @Test func revokingByIdAndBySubject() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        func at(_ t: Double) -> Date { Date(timeIntervalSince1970: t) }
        try await db.recordIssuedToken(jti: "t1", subject: "ana", issuedAt: at(100), expiresAt: at(1000), roles: ["clinician"])
        try await db.recordIssuedToken(jti: "t2", subject: "ana", issuedAt: at(200), expiresAt: at(1000))
        try await db.recordIssuedToken(jti: "t3", subject: "bob", issuedAt: at(300), expiresAt: at(1000), roles: ["auditor", "clinician"])
        #expect(try await db.issuedTokens().map(\.jti) == ["t3", "t2", "t1"])
        #expect(try await db.issuedTokens(subject: "bob").first?.roles == ["auditor", "clinician"])
        #expect(try await db.issuedTokens().allSatisfy { $0.revokedAt == nil })

        var set = try await db.refreshRevocations(RevocationSet())
        #expect(set == RevocationSet())
        try await db.revokeToken(jti: "t3", at: at(400))
        #expect(try await db.revokeSubject("ana", at: at(150)) == 1) // t1 only: t2 was issued after
        let tokens = Dictionary(uniqueKeysWithValues: try await db.issuedTokens().map { ($0.jti, $0) })
        #expect(tokens["t1"]?.revokedAt == at(150))
        #expect(tokens["t2"]?.revokedAt == nil)
        #expect(tokens["t3"]?.revokedAt == at(400))

        set = try await db.refreshRevocations(set)
        #expect(set.tokenIDs == ["t3"])
        #expect(set.subjects == ["ana": at(150)])
        #expect(set.isRevoked(jti: "t3", subject: "bob", issuedAt: 300))
        #expect(set.isRevoked(jti: "t1", subject: "ana", issuedAt: 100))
        #expect(!set.isRevoked(jti: "t2", subject: "ana", issuedAt: 200))
        #expect(set.isRevoked(jti: nil, subject: "ana", issuedAt: nil)) // no iat: cannot show it is newer
        let seen = set.lastRowID
        try await db.revokeSubject("ana", at: at(500))
        set = try await db.refreshRevocations(set)
        #expect(set.lastRowID > seen)
        #expect(set.subjects["ana"] == at(500))
        #expect(set.isRevoked(jti: "t2", subject: "ana", issuedAt: 200))
    }

    /// Revocation and issue times keep their sub-second part: a token issued in the same second
    /// as `revokeSubject` but after it is valid, one issued before it is revoked (finding 8).
    @Test func subjectRevocationSplitsOneSecond() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        func at(_ t: Double) -> Date { Date(timeIntervalSince1970: t) }
        try await db.recordIssuedToken(jti: "before", subject: "ana", issuedAt: at(1_800_000_000.25), expiresAt: at(1_800_003_600))
        #expect(try await db.revokeSubject("ana", at: at(1_800_000_000.5)) == 1)
        try await db.recordIssuedToken(jti: "after", subject: "ana", issuedAt: at(1_800_000_000.75), expiresAt: at(1_800_003_600))
        let tokens = Dictionary(uniqueKeysWithValues: try await db.issuedTokens(subject: "ana").map { ($0.jti, $0) })
        #expect(tokens["before"]?.revokedAt == at(1_800_000_000.5))
        #expect(tokens["after"]?.revokedAt == nil)
        #expect(tokens["after"]?.issuedAt == at(1_800_000_000.75))
        let set = try await db.refreshRevocations(RevocationSet())
        #expect(set.isRevoked(jti: "before", subject: "ana", issuedAt: 1_800_000_000.25))
        #expect(!set.isRevoked(jti: "after", subject: "ana", issuedAt: 1_800_000_000.75))
    }
}

@Suite("Documents and embeddings")
struct EmbeddingTableTests {
    static func ingestTwo(_ db: BedsideDatabase) async throws -> [Int64] {
        let a = Document(id: "a", title: "Alpha", text: "One. Two.")
        let b = Document(id: "b", title: "Beta", text: "Three.")
        let result = try await db.ingest([
            (
                a,
                [
                    Chunk(documentID: "a", ordinal: 0, sectionPath: ["S"], text: "One.", start: 0, end: 4),
                    Chunk(documentID: "a", ordinal: 1, sectionPath: ["S"], text: "Two.", start: 5, end: 9),
                ]
            ),
            (b, [Chunk(documentID: "b", ordinal: 0, sectionPath: [], text: "Three.", start: 0, end: 6)]),
        ])
        return result.newChunkIDs
    }

    @Test func chunksDocumentsAndDeletion() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("e.sqlite"))
        let ids = try await Self.ingestTwo(db)
        #expect(ids.count == 3)
        #expect(try await db.documentList().map(\.title) == ["Alpha", "Beta"])
        #expect(try await db.chunk(id: ids[1])?.chunk.text == "Two.")
        #expect(try await db.chunk(id: ids[1])?.title == "Alpha")
        #expect(try await db.chunk(id: 999) == nil)
        #expect(try await db.chunks(ids: [ids[2], 999, ids[0]]).map(\.chunk.text) == ["Three.", "One."]) // asked order, missing skipped
        #expect(try await db.chunks(documentID: "a").map(\.ordinal) == [0, 1])
        #expect(try await db.document(id: "b")?.text == "Three.")
        #expect(try await db.indexVersion() == 1)
        #expect(try await db.deleteDocument(id: "a"))
        #expect(try await db.indexVersion() == 2)
        #expect(try await !db.deleteDocument(id: "a"))
        #expect(try await db.indexVersion() == 2)
        #expect(try await db.counts() == (1, 1))
    }

    @Test func vectorsRoundTripPerModelAndGoWithTheirChunks() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("e.sqlite"))
        let ids = try await Self.ingestTwo(db)
        #expect(try await db.chunkIDsMissingEmbeddings(model: "m") == ids)
        try await db.saveEmbeddings(model: "m", [(chunkID: ids[2], vector: [5, 6]), (chunkID: ids[0], vector: [1, 2])])
        try await db.saveEmbeddings(model: "other", [(chunkID: ids[1], vector: [9, 9, 9])])
        try await db.saveEmbeddings(model: "m", [])
        let loaded = try await db.loadEmbeddings(model: "m")
        #expect(loaded.ids == [ids[0], ids[2]])
        #expect(loaded.dim == 2)
        #expect(loaded.matrix == [1, 2, 5, 6])
        #expect(try await db.embeddingCount(model: "m") == 2)
        #expect(try await db.chunkIDsMissingEmbeddings(model: "m") == [ids[1]])
        // Replacing a vector keeps one row; deleting the document drops its vectors (cascade).
        try await db.saveEmbeddings(model: "m", [(chunkID: ids[0], vector: [3, 4])])
        #expect(try await db.loadEmbeddings(model: "m").matrix == [3, 4, 5, 6])
        try await db.deleteDocument(id: "a")
        #expect(try await db.embeddingCount(model: "m") == 1)
        #expect(try await db.embeddingCount(model: "other") == 0)
    }
}

@Suite("Error mapping")
struct ErrorMappingTests {
    @Test func aSecondConnectionHoldingTheWriteLockIsReportedAsLocked() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("l.sqlite")
        let db = try BedsideDatabase(path: path, busyTimeout: 0.1)
        try await db.putCacheEntry(CacheTableTests.entry("k", created: 1, expires: 2))
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: path, configuration: config)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        defer { try? holder.inDatabase { db in try db.execute(sql: "ROLLBACK") } }

        let write = await #expect(throws: BedsideError.self) { try await db.putCacheEntry(CacheTableTests.entry("k2", created: 1, expires: 2)) }
        #expect(write?.code == .databaseLocked)
        #expect(write?.message.contains(path) == true)
        let audit = await #expect(throws: BedsideError.self) { try await db.appendAudit(AuditTableTests.record(1)) }
        #expect(audit?.code == .databaseLocked)
        // WAL: readers are not blocked by the writer.
        #expect(try await db.cacheEntry(key: "k") != nil)
        try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        #expect(try await db.appendAudit(AuditTableTests.record(1)) == 1) // the audit writer recovers
    }

    @Test func aFileCorruptedAfterUseIsReportedAsInvalid() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("c.sqlite")
        let db = try BedsideDatabase(path: path)
        for i in 1...20 { try await db.appendAudit(AuditTableTests.record(i)) }
        try db.close()
        // Keep the header page, overwrite every other page.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 8192)
        bytes.replaceSubrange(4096..<bytes.count, with: Data(repeating: 0xAB, count: bytes.count - 4096))
        try bytes.write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: BedsideError.self) {
            let reopened = try BedsideDatabase(path: path)
            _ = try await reopened.auditRecords(AuditQuery())
        }
        #expect(error?.code == .databaseInvalid)
    }

    @Test func sqliteResultCodesMapToActionableErrors() {
        let cases: [(ResultCode, BedsideError.Code, String)] = [
            (.SQLITE_BUSY, .databaseLocked, "locked"), (.SQLITE_LOCKED, .databaseLocked, "locked"),
            (.SQLITE_CORRUPT, .databaseInvalid, "not a valid"), (.SQLITE_NOTADB, .databaseInvalid, "not a valid"),
            (.SQLITE_READONLY, .database, "permissions"), (.SQLITE_CANTOPEN, .database, "permissions"),
            (.SQLITE_FULL, .database, "full"), (.SQLITE_IOERR, .database, "Database error"),
        ]
        for (code, expected, words) in cases {
            let mapped = BedsideDatabase.mapError(DatabaseError(resultCode: code), path: "/x.sqlite") as? BedsideError
            #expect(mapped?.code == expected, "\(code)")
            #expect(mapped?.message.contains(words) == true, "\(code)")
            #expect(mapped?.message.contains("/x.sqlite") == true, "\(code)")
        }
        let own = BedsideError(.badRequest, "kept")
        #expect((BedsideDatabase.mapError(own, path: "/x") as? BedsideError) == own)
        #expect(BedsideDatabase.mapError(CocoaError(.fileNoSuchFile), path: "/x") is CocoaError)
    }
}
