import Core
import Foundation
import GRDB
import Testing

@testable import SQLiteStore

@Suite("Database opening and migrations")
struct DatabaseTests {
    @Test func migratesAFreshFileAndReopens() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("nested/folder/b.sqlite")
        let db = try BedsideDatabase(path: path)
        #expect(try Set(db.appliedMigrations()).isSuperset(of: ["v1-core", "v2-private-records"]))
        #expect(try await db.indexVersion() == 0)
        try db.close()
        let again = try BedsideDatabase(path: path)
        #expect(try Set(again.appliedMigrations()).isSuperset(of: ["v1-core", "v2-private-records"]))
        let journal = try await again.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func refusesAFileThatIsNotSQLiteAndLeavesItUntouched() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("notes.sqlite")
        let content = Data("These are my notes, not a database.\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try BedsideDatabase(path: path)
        } throws: { error in
            (error as? BedsideError)?.code == .databaseInvalid && (error as? BedsideError)?.message.contains("not a SQLite database") == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func reportsACorruptSQLiteFileClearly() throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("corrupt.sqlite")
        var bytes = Data("SQLite format 3\0".utf8)
        bytes.append(Data(repeating: 0xAB, count: 4096))
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try BedsideDatabase(path: path)
        } throws: { error in
            (error as? BedsideError)?.code == .databaseInvalid
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func reportsALockedDatabase() async throws {
        let dir = try TempDirectory()
        defer { dir.cleanup() }
        let path = dir.file("locked.sqlite")
        _ = try BedsideDatabase(path: path)
        // Another process holds an exclusive lock (a rollback-journal writer would do the same).
        var config = Configuration()
        config.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: path, configuration: config)
        try holder.inDatabase { db in try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE") }
        defer { try? holder.inDatabase { db in try db.execute(sql: "ROLLBACK") } }
        let error = await #expect(throws: BedsideError.self) {
            let db = try BedsideDatabase(path: path, busyTimeout: 0.2)
            _ = try await db.ingest([(Document(id: "x", title: "X", text: "x"), [])])
        }
        #expect(error?.code == .databaseLocked)
    }

    /// `--db` and `BEDSIDE_DB` are the CLI's (EndToEndTests' `ConfigRegistryTests`); this is the default.
    @Test func defaultDatabaseLocation() {
        #expect(StoreLocation.defaultDatabasePath(environment: ["XDG_DATA_HOME": "/xdg", "HOME": "/home/u"]) == "/xdg/bedside/bedside.sqlite")
        #expect(StoreLocation.defaultDatabasePath(environment: ["HOME": "/home/u"]) == "/home/u/.local/share/bedside/bedside.sqlite")
    }
}
