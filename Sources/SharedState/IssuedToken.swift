import Foundation

/// A token `bedside token create` minted (the token itself is never stored).
public struct IssuedToken: Sendable, Hashable, Codable {
    public var jti: String
    public var subject: String
    public var roles: [String]
    public var issuedAt: Date
    public var expiresAt: Date
    /// When it was revoked (by its id, or with every token of its subject), if it was.
    public var revokedAt: Date?

    /// An `issued_token` row as both stores keep it: times in seconds since 1970, roles as a
    /// JSON array (unreadable roles read as none).
    public init(jti: String, subject: String, rolesJSON: String?, issuedAt: Double, expiresAt: Double, revokedAt: Double?) {
        self.jti = jti
        self.subject = subject
        self.roles = rolesJSON.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        self.issuedAt = Date(timeIntervalSince1970: issuedAt)
        self.expiresAt = Date(timeIntervalSince1970: expiresAt)
        self.revokedAt = revokedAt.map(Date.init(timeIntervalSince1970:))
    }

    enum CodingKeys: String, CodingKey {
        case jti, subject, roles
        case issuedAt = "issued_at"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
    }
}

/// What is revoked: token ids, and subjects whose tokens issued up to a time are revoked.
public struct RevocationSet: Sendable, Hashable {
    public var tokenIDs: Set<String> = []
    /// Subject → the latest revocation time; tokens of that subject issued at or before it are refused.
    public var subjects: [String: Date] = [:]
    /// The newest revocation row read, to fetch only what is new next time.
    public var lastRowID: Int64 = 0

    public init() {}

    /// True when a token with this id, subject and issue time has been revoked. A token
    /// without `iat` cannot show it was issued after a subject's revocation, so it is refused.
    public func isRevoked(jti: String?, subject: String, issuedAt: Double?) -> Bool {
        if let jti, tokenIDs.contains(jti) { return true }
        guard let cut = subjects[subject] else { return false }
        guard let issuedAt else { return true }
        return issuedAt <= cut.timeIntervalSince1970
    }

    /// This set with `newer` (the revocations read after `lastRowID`) merged in.
    public func merging(_ newer: RevocationSet) -> RevocationSet {
        var merged = self
        merged.tokenIDs.formUnion(newer.tokenIDs)
        for (s, t) in newer.subjects { merged.subjects[s] = max(t, merged.subjects[s] ?? t) }
        merged.lastRowID = max(lastRowID, newer.lastRowID)
        return merged
    }
}
