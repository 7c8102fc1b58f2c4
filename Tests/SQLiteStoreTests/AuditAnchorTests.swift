import Core
import Foundation
import GRDB
import Testing

@testable import SQLiteStore
@testable import SharedState

/// Issue 19 finding 4: the chain is anchored by its head (written with every commit group)
/// and by signed checkpoints, so deleting the tail, every row or a middle row, and
/// rewriting rows and rehashing everything after them, all show in `verifyAuditChain`.
@Suite("The audit chain's anchor (SQLite)")
struct AuditAnchorTests {
    /// A database with `count` rows whose triggers are dropped, as by someone with the file and sqlite3.
    static func tampered(_ dir: TempDirectory, rows count: Int = 10) async throws -> BedsideDatabase {
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        for i in 1...count { try await db.appendAudit(AuditTableTests.record(i)) }
        try await db.write { db in
            try db.execute(sql: "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete")
        }
        return db
    }

    static func verifyBreak(_ db: BedsideDatabase, _ checkpoints: [AuditCheckpoint] = []) async -> AuditChainBreak? {
        await #expect(throws: AuditChainBreak.self) { try await db.verifyAuditChain(against: checkpoints) }
    }

    /// Edits row `id`'s question and recomputes every hash from it on, as a careful tamperer would.
    static func rewrite(_ db: BedsideDatabase, from id: Int64, moveHead: Bool) async throws {
        try await db.write { db in
            try db.execute(sql: "UPDATE audit SET question = 'rewritten' WHERE id = ?", arguments: [id])
            var previous: String = try String.fetchOne(db, sql: "SELECT hash FROM audit WHERE id = ?", arguments: [id - 1]) ?? ""
            for row in try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE id >= ? ORDER BY id", arguments: [id]) {
                let hash = AuditRecord(row: row).chainHash(id: row["id"], previous: previous, sourcesJSON: row["sources"])
                try db.execute(sql: "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, row["id"]])
                previous = hash
            }
            if moveHead { try db.execute(sql: "UPDATE audit_head SET last_hash = ?", arguments: [previous]) }
        }
    }

    @Test func theHeadFollowsEveryAppendAndAVerifiedChainMatchesIt() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        #expect(try await db.verifyAuditChain(against: []).headChecked)
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 1...50 { group.addTask { try await db.appendAudit(AuditTableTests.record(i)) } }
            try await group.waitForAll()
        }
        let summary = try await db.verifyAuditChain(against: [])
        let head = try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT last_id, last_hash FROM audit_head").map { AuditHead(lastID: $0["last_id"], lastHash: $0["last_hash"]) }
        }
        #expect(summary.rows == 50 && summary.lastID == 50)
        #expect(head == AuditHead(lastID: 50, lastHash: summary.lastHash))
        // The head may not be removed nor moved back.
        for sql in ["DELETE FROM audit_head", "UPDATE audit_head SET last_id = 3"] {
            await #expect(throws: BedsideError.self) { try await db.write { db in try db.execute(sql: sql) } }
        }
    }

    @Test func deletingTheTailIsFoundAndStaysAGapAfterTheNextAppend() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try await Self.tampered(dir)
        try await db.write { db in try db.execute(sql: "DELETE FROM audit WHERE id > 7") }
        let tail = await Self.verifyBreak(db)
        #expect(tail?.rowID == 8)
        #expect(tail?.reason.contains("rows 8-10 are missing at the end") == true, "\(String(describing: tail))")
        // The chain goes on from the head, so the deleted rows remain a named gap.
        #expect(try await db.appendAudit(AuditTableTests.record(11)) == 11)
        let gap = await Self.verifyBreak(db)
        #expect(gap?.rowID == 8)
        #expect(gap?.reason.contains("rows 8-10 are missing (deleted): row 11 follows row 7") == true, "\(String(describing: gap))")
    }

    @Test func deletingEveryRowIsFound() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try await Self.tampered(dir)
        try await db.write { db in try db.execute(sql: "DELETE FROM audit") }
        let all = await Self.verifyBreak(db)
        #expect(all?.rowID == 1)
        #expect(all?.reason.contains("every row is missing") == true, "\(String(describing: all))")
    }

    @Test func aGapInTheMiddleNamesTheMissingRows() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try await Self.tampered(dir)
        try await db.write { db in try db.execute(sql: "DELETE FROM audit WHERE id IN (4, 5)") }
        let gap = await Self.verifyBreak(db)
        #expect(gap?.rowID == 4)
        #expect(gap?.reason.contains("rows 4-5 are missing (deleted): row 6 follows row 3") == true, "\(String(describing: gap))")
    }

    @Test func editingAndRehashingIsFoundByTheHeadOrByACheckpoint() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try await Self.tampered(dir)
        let key = Array(repeating: UInt8(7), count: 32)
        let checkpoint = AuditCheckpoint(summary: try await db.verifyAuditChain(against: []), store: "t", at: Date(), key: key)
        try checkpoint.checkSignature(key: key)
        // Rehashed but the head left alone: the head's hash no longer matches the last row.
        try await Self.rewrite(db, from: 4, moveHead: false)
        let byHead = await Self.verifyBreak(db)
        #expect(byHead?.rowID == 10)
        #expect(byHead?.reason.contains("rewritten") == true, "\(String(describing: byHead))")
        // The head moved too: only the checkpoint, signed with a key outside the database, tells.
        try await Self.rewrite(db, from: 4, moveHead: true)
        #expect(try await db.verifyAuditChain() == 10)
        let byCheckpoint = await Self.verifyBreak(db, [checkpoint])
        #expect(byCheckpoint?.rowID == 1)
        #expect(byCheckpoint?.reason.contains("rewritten between rows 1 and 10") == true, "\(String(describing: byCheckpoint))")
    }

    @Test func aCheckpointFindsATruncationThatAlsoResetTheHead() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try await Self.tampered(dir)
        let key = Array(repeating: UInt8(9), count: 32)
        let checkpoint = AuditCheckpoint(summary: try await db.verifyAuditChain(against: []), store: "t", at: Date(), key: key)
        try await db.write { db in
            try db.execute(sql: "DROP TRIGGER audit_head_forward_only; DELETE FROM audit")
            try db.execute(sql: "UPDATE audit_head SET last_id = 0, last_hash = ''")
        }
        #expect(try await db.verifyAuditChain() == 0)
        let all = await Self.verifyBreak(db, [checkpoint])
        #expect(all?.rowID == 1)
        #expect(all?.reason.contains("every row is missing (deleted): the checkpoint of") == true, "\(String(describing: all))")
    }

    @Test func aTamperedOrForeignCheckpointFileIsRefused() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let keyPath = dir.file("k.key")
        let key = try AuditCheckpointKey.load(path: keyPath, create: true)
        #expect(PrivateFiles.mode(keyPath) == 0o600)
        #expect(try AuditCheckpointKey.load(path: keyPath, create: false) == key)
        let file = dir.file("cp.jsonl")
        let summary = AuditChainSummary(rows: 3, lastID: 3, lastHash: String(repeating: "a", count: 64), checkpoints: 0, headChecked: true)
        try AuditCheckpoint(summary: summary, store: "t", at: Date(), key: key).append(to: file)
        try AuditCheckpoint(summary: summary, store: "t", at: Date(), key: key).append(to: file)
        #expect(PrivateFiles.mode(file) == 0o600)
        #expect(try AuditCheckpoint.load(path: file, key: key).count == 2)
        // A line edited to claim fewer rows: its MAC no longer matches.
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"last_id\":3", with: "\"last_id\":2").write(toFile: file, atomically: true, encoding: .utf8)
        let edited = #expect(throws: AuditCheckpointError.self) { try AuditCheckpoint.load(path: file, key: key) }
        #expect(edited?.message.contains("line 1") == true && edited?.message.contains("edited") == true, "\(String(describing: edited))")
        // Signed with another key.
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let foreign = #expect(throws: AuditCheckpointError.self) { try AuditCheckpoint.load(path: file, key: Array(repeating: 1, count: 32)) }
        #expect(foreign?.message.contains("another key") == true)
    }
}
