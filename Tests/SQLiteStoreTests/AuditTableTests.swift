import Core
import Foundation
import GRDB
import SharedState
import Testing

@testable import SQLiteStore

/// Counts committed transactions (how many fsyncs the audit trail paid).
final class CommitCounter: TransactionObserver, Sendable {
    let commits = Locked(0)
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { eventKind.tableName == "audit" }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: GRDB.Database) { commits.withLock { $0 += 1 } }
    func databaseDidRollback(_ db: GRDB.Database) {}
}

@Suite("The audit table")
struct AuditTableTests {
    static func record(_ i: Int, subject: String = "ana", at: Double? = nil) -> AuditRecord {
        AuditRecord(
            at: Date(timeIntervalSince1970: at ?? Double(1000 + i)), requestID: "r\(i)", subject: subject, question: "q\(i)",
            answerID: "a\(i)", sources: ["doc#\(i)"], model: "extractive", indexVersion: 1)
    }

    @Test func appendsChainEachRowToThePreviousOne() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        #expect(try await db.verifyAuditChain() == 0)
        var ids: [Int64] = []
        for i in 1...3 { ids.append(try await db.appendAudit(Self.record(i))) }
        #expect(ids == [1, 2, 3])
        #expect(try await db.verifyAuditChain() == 3)
        let rows = try await db.auditRecords(AuditQuery())
        #expect(rows.map(\.question) == ["q1", "q2", "q3"])
        #expect(rows[0].prevHash == "")
        #expect(rows[1].prevHash == rows[0].hash)
        #expect(rows[2].prevHash == rows[1].hash)
        #expect(Set(rows.map(\.hash)).count == 3)
        #expect(rows.allSatisfy { $0.hash.count == 64 })
        #expect(rows[1].sources == ["doc#2"])
        #expect(rows[1].requestID == "r2")
        #expect(rows[1].at == Date(timeIntervalSince1970: 1002))
    }

    @Test func twoHundredConcurrentAppendsFormOneChainAndShareCommits() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        let counter = CommitCounter()
        db.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 1...200 { group.addTask { try await db.appendAudit(Self.record(i)) } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(ids.sorted() == Array(1...200))
        #expect(try await db.verifyAuditChain() == 200)
        let rows = try await db.auditRecords(AuditQuery())
        #expect(Set(rows.map(\.question)) == Set((1...200).map { "q\($0)" }))
        // Each caller got the id of its own row.
        for row in rows { #expect(row.id.map { ids.contains($0) } == true) }
        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.requestID ?? "", $0.question) })["r17"] == "q17")
        let commits = counter.commits.current
        #expect(commits >= 1)
        #expect(commits < 200, "concurrent rows should share commits (group commit): \(commits) commits for 200 rows")
    }

    /// `[store] audit_group_commit = false` goes through the same commit function, one row a
    /// commit: every caller hears back, awaiting or called back (the event-loop path).
    @Test func withoutGroupingEachRowCommitsAloneAndEveryCallerHearsBack() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"), groupCommit: false)
        let counter = CommitCounter()
        db.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 1...20 { group.addTask { try await db.appendAudit(Self.record(i)) } }
            for i in 21...40 {
                group.addTask {
                    try await withCheckedThrowingContinuation { c in db.appendAudit(Self.record(i), sourcesJSON: nil) { c.resume(with: $0) } }
                }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(ids.sorted() == Array(1...40))
        #expect(counter.commits.current == 40)
        #expect(try await db.verifyAuditChain() == 40)
    }

    /// A commit that returns fewer ids than it was given rows fails every row of it, so no
    /// caller waits forever (the rows after the first would otherwise never hear back).
    @Test func aCommitThatLosesCountFailsEveryRowInsteadOfStalling() async throws {
        let group = GroupCommit<Int> { _, done in done(.success([])) }
        let answered = await withTaskGroup(of: Bool.self) { tasks in
            for i in 1...10 { tasks.addTask { (try? await group.append(i)) != nil } }
            return await tasks.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answered == Array(repeating: false, count: 10))
    }

    @Test func updateAndDeleteAreRefusedByTheTriggers() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        try await db.appendAudit(Self.record(1))
        for sql in ["UPDATE audit SET subject = 'mallory' WHERE id = 1", "DELETE FROM audit WHERE id = 1", "DELETE FROM audit"] {
            let error = await #expect(throws: BedsideError.self) { try await db.write { db in try db.execute(sql: sql) } }
            #expect(error?.code == .database)
            #expect(error?.detail?.contains("append-only") == true, "\(sql)")
        }
        #expect(try await db.auditRecords(AuditQuery()).map(\.subject) == ["ana"])
        #expect(try await db.verifyAuditChain() == 1)
    }

    @Test func verifyNamesTheFirstEditedOrRemovedRow() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        for i in 1...4 { try await db.appendAudit(Self.record(i)) }
        // Someone with the file and sqlite3 drops the triggers and edits a row.
        try await db.write { db in
            try db.execute(sql: "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete")
            try db.execute(sql: "UPDATE audit SET question = 'edited' WHERE id = 2")
        }
        let edited = await #expect(throws: AuditChainBreak.self) { try await db.verifyAuditChain() }
        #expect(edited?.rowID == 2)
        #expect(edited?.reason.contains("content") == true)
        try await db.write { db in
            try db.execute(sql: "UPDATE audit SET question = 'q2' WHERE id = 2")
            try db.execute(sql: "DELETE FROM audit WHERE id = 3")
        }
        let removed = await #expect(throws: AuditChainBreak.self) { try await db.verifyAuditChain() }
        #expect(removed?.rowID == 3)
        #expect(removed?.reason.contains("row 3 is missing (deleted): row 4 follows row 2") == true)
    }

    @Test func aNULIsStoredAsReplacementCharacterAndStillVerifies() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        var r = Self.record(1)
        r.question = "before\u{0}after"
        try await db.appendAudit(r)
        #expect(try await db.auditRecords(AuditQuery()).first?.question == "before\u{FFFD}after")
        #expect(try await db.verifyAuditChain() == 1)
    }

    @Test func queriesFilterOrderAndPage() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let db = try BedsideDatabase(path: dir.file("t.sqlite"))
        for i in 1...5 { try await db.appendAudit(Self.record(i, subject: i % 2 == 0 ? "bob" : "ana")) }
        #expect(try await db.auditRecords(AuditQuery(subject: "bob")).map(\.question) == ["q2", "q4"])
        #expect(try await db.auditRecords(AuditQuery(limit: 2)).map(\.question) == ["q5", "q4"]) // newest first with a limit
        #expect(try await db.auditRecords().count == 5)
        let window = AuditQuery(since: Date(timeIntervalSince1970: 1002), until: Date(timeIntervalSince1970: 1004))
        #expect(try await db.auditRecords(window).map(\.question) == ["q2", "q3"])
        let pages = Locked([[String]]())
        try await db.forEachAuditPage(AuditQuery(), pageSize: 2) { page in pages.withLock { $0.append(page.map(\.question)) } }
        #expect(pages.current == [["q1", "q2"], ["q3", "q4"], ["q5"]])
        let bobPages = Locked([[String]]())
        try await db.forEachAuditPage(AuditQuery(subject: "bob"), pageSize: 2) { page in bobPages.withLock { $0.append(page.map(\.question)) } }
        #expect(bobPages.current == [["q2", "q4"]])
    }
}
