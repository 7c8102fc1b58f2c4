import Core
import Foundation
import GRDB

/// The Bedside SQLite file: one `DatabasePool` in WAL mode, migrated on open.
///
/// Opening never overwrites anything: a file that is not SQLite, or a database held
/// by another writer, ends in a `BedsideError` that says so and what to do.
public final class BedsideDatabase: Sendable {
    public let path: String
    public let pool: DatabasePool
    /// Group commit for the audit trail.
    let auditWriter: AuditWriter

    /// How a commit reaches the disk (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable {
        /// A commit is on disk (WAL fsynced) before the caller goes on.
        case full = "FULL"
        /// Only to measure what FULL costs (`bench/gateway.sh`).
        case normal = "NORMAL"
    }

    /// - Parameters:
    ///   - path: the SQLite file (created with its folder when missing).
    ///   - busyTimeout: how long to wait for another writer before reporting the database locked.
    ///   - readOnly: open without migrating or writing (fails if the schema is missing).
    ///   - synchronous: `[store] sqlite_synchronous`, read by the command.
    ///   - groupCommit: `[store] audit_group_commit`, read by the command.
    ///   - dataDirectory: Bedside's own data folder (`StoreLocation.dataDirectory`), tightened
    ///     to 0700 when the file is in it; nil: any folder is only created private.
    public init(
        path: String, busyTimeout: TimeInterval = 5, readOnly: Bool = false, synchronous: Synchronous = .full,
        groupCommit: Bool = true, dataDirectory: String? = nil
    ) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !readOnly {
            // Bedside's own data folder is tightened to 0700; a folder the user chose is only created private.
            let own = dataDirectory.map { (dir as NSString).standardizingPath == ($0 as NSString).standardizingPath } ?? false
            try PrivateFiles.ensureFolder(dir, tighten: own)
        }
        try Self.checkHeader(path: path)
        if !readOnly { try PrivateFiles.ensureDatabaseFile(path) }
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.label = "bedside"
        // FULL: a commit is on disk (WAL fsynced) before the caller goes on, so an audit
        // row committed before a response survives a power loss, not only a crash.
        // Concurrent audit rows share one commit (`AuditWriter`), which keeps it cheap.
        // NORMAL (`[store] sqlite_synchronous`) exists only so bench/gateway.sh can measure the cost.
        let synchronous = synchronous.rawValue
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            if !readOnly { try Migrations.migrator.migrate(pool) }
        } catch {
            throw Self.mapError(error, path: path)
        }
        auditWriter = AuditWriter(pool: pool, path: path, grouped: groupCommit)
        if !readOnly { for suffix in ["-wal", "-shm"] { PrivateFiles.tighten(path + suffix) } }
    }

    /// Refuses a file whose first bytes are not the SQLite header, before SQLite can touch it.
    static func checkHeader(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return } // missing: will be created
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        if head.isEmpty { return } // empty file: SQLite initialises it
        if head != Data("SQLite format 3\0".utf8) {
            throw BedsideError(
                .databaseInvalid,
                "\(path) is not a SQLite database, so Bedside will not use it. Nothing was changed. Point --db or BEDSIDE_DB at another file.")
        }
    }

    /// Maps SQLite failures to errors a user can act on.
    public static func mapError(_ error: any Error, path: String) -> any Error {
        if let e = error as? BedsideError { return e }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return BedsideError(
                    .databaseLocked,
                    "The database \(path) is locked by another process. Close the other Bedside (or the program holding it) and try again.",
                    detail: e.description)
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                return BedsideError(
                    .databaseInvalid,
                    "\(path) is not a valid Bedside database (corrupt or not SQLite). Nothing was changed. Point --db or BEDSIDE_DB at another file.",
                    detail: e.description)
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                return BedsideError(.database, "Cannot write the database \(path): check its permissions.", detail: e.description)
            case .SQLITE_FULL:
                return BedsideError(.database, "The disk holding \(path) is full.", detail: e.description)
            default:
                return BedsideError(.database, "Database error in \(path).", detail: e.description)
            }
        }
        return error
    }

    /// Reads on GRDB's reader pool, off the caller's thread, mapping SQLite errors.
    public func read<T: Sendable>(_ body: @Sendable @escaping (GRDB.Database) throws -> T) async throws -> T {
        do { return try await pool.read(body) } catch { throw Self.mapError(error, path: path) }
    }

    /// Runs a write transaction on GRDB's writer, off the caller's thread, mapping SQLite errors.
    public func write<T: Sendable>(_ body: @Sendable @escaping (GRDB.Database) throws -> T) async throws -> T {
        do { return try await pool.write(body) } catch { throw Self.mapError(error, path: path) }
    }

    /// Blocking read, for opening a file only (migrations, a replica's identity and bounds):
    /// everything called from async code goes through `read` / `write`.
    func readNow<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.mapError(error, path: path) }
    }

    /// Blocking write transaction, for the same synchronous callers as `readNow`.
    func writeNow<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw Self.mapError(error, path: path) }
    }

    /// The schema migrations applied, in order (for tests and `doctor`).
    public func appliedMigrations() throws -> [String] {
        try readNow { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// Flushes the WAL into the main file and closes connections.
    public func close() throws {
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try pool.close()
    }
}
