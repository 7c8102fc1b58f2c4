import Core
import Foundation
import PostgresNIO
import SharedState

/// Issued tokens and revocations on PostgreSQL, with the SQLite store's semantics: a
/// revocation names one token id, or a subject whose tokens issued up to a time are refused.
extension PostgresGatewayState {
    public func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date, roles: [String]) async throws {
        let rolesJSON = String(decoding: try JSONEncoder.sorted.encode(roles), as: UTF8.self)
        let q: PostgresQuery = """
            INSERT INTO issued_token(jti, subject, issued_at, expires_at, roles)
            VALUES (\(jti), \(subject), \(issuedAt.timeIntervalSince1970), \(expiresAt.timeIntervalSince1970), \(rolesJSON))
            """
        try await run { client in try await client.query(q, logger: self.logger) }
    }

    /// Tokens minted against this database, newest first, with when each was revoked.
    public func issuedTokens(subject: String?) async throws -> [IssuedToken] {
        let revocations = try await fetchRevocations(after: 0)
        let minted = try await rows(
            """
            SELECT jti, subject, issued_at, expires_at, roles FROM issued_token
            WHERE (\(subject)::text IS NULL OR subject = \(subject)::text)
            ORDER BY issued_at DESC, jti
            """, (String, String, Double, Double, String).self)
        var tokens: [IssuedToken] = []
        tokens.reserveCapacity(minted.count)
        for (jti, subject, issued, expires, roles) in minted {
            var revokedAt: Double?
            if revocations.isRevoked(jti: jti, subject: subject, issuedAt: issued) {
                let at = try await rows(
                    "SELECT min(revoked_at) FROM revocation WHERE jti = \(jti) OR (subject = \(subject) AND revoked_at >= \(issued))", Double?.self)
                revokedAt = at.first ?? nil
            }
            tokens.append(IssuedToken(jti: jti, subject: subject, rolesJSON: roles, issuedAt: issued, expiresAt: expires, revokedAt: revokedAt))
        }
        return tokens
    }

    /// Revokes one token by its id (any token a gateway accepts, minted here or not).
    public func revokeToken(jti: String, at date: Date) async throws {
        let at = date.timeIntervalSince1970
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.revocationLock))", logger: self.logger)
            try await connection.query("INSERT INTO revocation(jti, revoked_at) VALUES (\(jti), \(at))", logger: self.logger)
            try await connection.query("UPDATE issued_token SET revoked = true WHERE jti = \(jti)", logger: self.logger)
        }
    }

    /// Revokes every token of `subject` issued up to `date`; returns how many minted here that covers.
    @discardableResult
    public func revokeSubject(_ subject: String, at date: Date) async throws -> Int {
        let at = date.timeIntervalSince1970
        return try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.revocationLock))", logger: self.logger)
            try await connection.query("INSERT INTO revocation(subject, revoked_at) VALUES (\(subject), \(at))", logger: self.logger)
            let rows = try await connection.query(
                """
                WITH changed AS (
                    UPDATE issued_token SET revoked = true WHERE subject = \(subject) AND issued_at <= \(at) RETURNING 1
                )
                SELECT count(*) FROM changed
                """, logger: self.logger)
            for try await n in rows.decode(Int64.self) { return Int(n) }
            return 0
        }
    }

    /// Revocations newer than `set.lastRowID`, merged into `set` (one indexed read). Revocations
    /// commit in id order (they are written under one advisory lock), so none is skipped.
    public func refreshRevocations(_ set: RevocationSet) async throws -> RevocationSet {
        set.merging(try await fetchRevocations(after: set.lastRowID))
    }

    private func fetchRevocations(after rowID: Int64) async throws -> RevocationSet {
        var set = RevocationSet()
        let found = try await rows(
            "SELECT id, jti, subject, revoked_at FROM revocation WHERE id > \(rowID) ORDER BY id", (Int64, String?, String?, Double).self)
        for (id, jti, subject, revokedAt) in found {
            let at = Date(timeIntervalSince1970: revokedAt)
            if let jti { set.tokenIDs.insert(jti) }
            if let subject { set.subjects[subject] = max(at, set.subjects[subject] ?? at) }
            set.lastRowID = id
        }
        return set
    }
}
