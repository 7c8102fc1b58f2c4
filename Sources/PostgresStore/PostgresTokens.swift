import Core
import Foundation
import PostgresNIO
import SharedState

/// Issued tokens and revocations on PostgreSQL, with the SQLite store's semantics: a
/// revocation names one token id, or a subject whose tokens issued up to a time are refused.
extension PostgresGatewayState {
    public func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date, roles: [String]) async throws {
        let rolesJSON = String(decoding: try JSONEncoder.sorted.encode(roles), as: UTF8.self)
        let issued = issuedAt.timeIntervalSince1970
        let expires = expiresAt.timeIntervalSince1970
        try await run { client in
            try await client.query(
                """
                INSERT INTO issued_token(jti, subject, issued_at, expires_at, roles)
                VALUES (\(jti), \(subject), \(issued), \(expires), \(rolesJSON))
                """, logger: self.logger)
        }
    }

    /// Tokens minted against this database, newest first, with when each was revoked.
    public func issuedTokens(subject: String?) async throws -> [IssuedToken] {
        let revocations = try await fetchRevocations(after: 0)
        let rows: [(String, String, Double, Double, String)] = try await run { client in
            var out: [(String, String, Double, Double, String)] = []
            let q: PostgresQuery = """
                SELECT jti, subject, issued_at, expires_at, roles FROM issued_token
                WHERE (\(subject)::text IS NULL OR subject = \(subject)::text)
                ORDER BY issued_at DESC, jti
                """
            for try await row in try await client.query(q, logger: self.logger).decode((String, String, Double, Double, String).self) {
                out.append(row)
            }
            return out
        }
        var tokens: [IssuedToken] = []
        tokens.reserveCapacity(rows.count)
        for (jti, subject, issued, expires, rolesText) in rows {
            var revokedAt: Date?
            if revocations.tokenIDs.contains(jti) || revocations.isRevoked(jti: nil, subject: subject, issuedAt: issued) {
                revokedAt = try await run { client in
                    let r = try await client.query(
                        """
                        SELECT min(revoked_at) FROM revocation WHERE jti = \(jti) OR (subject = \(subject) AND revoked_at >= \(issued))
                        """, logger: self.logger)
                    for try await at in r.decode(Double?.self) { return at.map { Date(timeIntervalSince1970: $0) } }
                    return nil
                }
            }
            let roles = (try? JSONDecoder().decode([String].self, from: Data(rolesText.utf8))) ?? []
            tokens.append(
                IssuedToken(
                    jti: jti, subject: subject, roles: roles, issuedAt: Date(timeIntervalSince1970: issued),
                    expiresAt: Date(timeIntervalSince1970: expires), revokedAt: revokedAt))
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
        var merged = set
        let new = try await fetchRevocations(after: set.lastRowID)
        merged.tokenIDs.formUnion(new.tokenIDs)
        for (s, t) in new.subjects { merged.subjects[s] = max(t, merged.subjects[s] ?? t) }
        merged.lastRowID = max(merged.lastRowID, new.lastRowID)
        return merged
    }

    private func fetchRevocations(after rowID: Int64) async throws -> RevocationSet {
        try await run { client in
            var set = RevocationSet()
            let rows = try await client.query(
                "SELECT id, jti, subject, revoked_at FROM revocation WHERE id > \(rowID) ORDER BY id", logger: self.logger)
            for try await (id, jti, subject, revokedAt) in rows.decode((Int64, String?, String?, Double).self) {
                let at = Date(timeIntervalSince1970: revokedAt)
                if let jti { set.tokenIDs.insert(jti) }
                if let subject { set.subjects[subject] = max(at, set.subjects[subject] ?? at) }
                set.lastRowID = id
            }
            return set
        }
    }
}
