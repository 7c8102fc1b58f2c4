import Core
import Foundation
import GRDB
import SharedState

extension BedsideDatabase {
    /// Tokens minted against this database, newest first.
    public func issuedTokens(subject: String? = nil) async throws -> [IssuedToken] {
        try await read { db in
            let revocations = try Self.fetchRevocations(db, after: 0)
            var request = Table("issued_token").all()
            if let subject { request = request.filter(Column("subject") == subject) }
            return try request.order(Column("issued_at").desc, Column("jti")).fetchAll(db).map { row in
                let jti: String = row["jti"]
                let subject: String = row["subject"]
                let issued: Double = row["issued_at"]
                let revokedAt =
                    revocations.isRevoked(jti: jti, subject: subject, issuedAt: issued)
                    ? try Double.fetchOne(
                        db, sql: "SELECT min(revoked_at) FROM revocation WHERE jti = ? OR (subject = ? AND revoked_at >= ?)",
                        arguments: [jti, subject, issued]) : nil
                return IssuedToken(
                    jti: jti, subject: subject, rolesJSON: row["roles"], issuedAt: issued, expiresAt: row["expires_at"], revokedAt: revokedAt)
            }
        }
    }

    /// Revokes one token by its id (any token this gateway accepts, minted here or not).
    public func revokeToken(jti: String, at date: Date = Date()) async throws {
        try await write { db in
            try db.execute(sql: "INSERT INTO revocation(jti, revoked_at) VALUES (?, ?)", arguments: [jti, date.timeIntervalSince1970])
            try db.execute(sql: "UPDATE issued_token SET revoked = 1 WHERE jti = ?", arguments: [jti])
        }
    }

    /// Revokes every token of `subject` issued up to now; returns how many minted here that covers.
    @discardableResult
    public func revokeSubject(_ subject: String, at date: Date = Date()) async throws -> Int {
        try await write { db in
            try db.execute(sql: "INSERT INTO revocation(subject, revoked_at) VALUES (?, ?)", arguments: [subject, date.timeIntervalSince1970])
            try db.execute(
                sql: "UPDATE issued_token SET revoked = 1 WHERE subject = ? AND issued_at <= ?",
                arguments: [subject, date.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Revocations newer than `set.lastRowID`, merged into `set` (cheap to poll: one indexed read).
    public func refreshRevocations(_ set: RevocationSet) async throws -> RevocationSet {
        try await read { db in set.merging(try Self.fetchRevocations(db, after: set.lastRowID)) }
    }

    static func fetchRevocations(_ db: GRDB.Database, after rowID: Int64) throws -> RevocationSet {
        var set = RevocationSet()
        for row in try Row.fetchAll(db, sql: "SELECT id, jti, subject, revoked_at FROM revocation WHERE id > ? ORDER BY id", arguments: [rowID]) {
            let at = Date(timeIntervalSince1970: row["revoked_at"])
            if let jti: String = row["jti"] { set.tokenIDs.insert(jti) }
            if let subject: String = row["subject"] { set.subjects[subject] = max(at, set.subjects[subject] ?? at) }
            set.lastRowID = row["id"]
        }
        return set
    }
}
