import Core
import Foundation
import JWTKit
import SQLiteStore
import SharedState

/// Mints HS256 tokens for local users (`bedside token create`, the embedded gateway).
public struct TokenIssuer: Sendable {
    public let issuer: String
    public let audience: String
    let secret: [UInt8]
    let database: (any GatewayStateStore)?
    let clock: @Sendable () -> Date
    let newID: @Sendable () -> String

    /// - Parameters:
    ///   - database: when given, each minted token's id, subject and lifetime are recorded (never the token).
    public init(
        secret: [UInt8], issuer: String = "bedside", audience: String = "bedside-gateway", database: (any GatewayStateStore)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init,
        newID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.secret = secret
        self.issuer = issuer
        self.audience = audience
        self.database = database
        self.clock = clock
        self.newID = newID
    }

    /// The issuer for a gateway configuration: loads (or creates) the secret that
    /// `bedside serve` with the same configuration and database will accept.
    /// - Parameter state: where minted tokens are recorded (the SQLite file, or the shared store).
    public init(configuration: GatewayConfiguration, database: BedsideDatabase, state: (any GatewayStateStore)? = nil) throws {
        let secret = try Self.loadOrCreateSecret(path: configuration.resolvedSecretPath(databasePath: database.path))
        self.init(secret: secret, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience, database: state ?? database)
    }

    /// Reads the HS256 secret at `path`, creating it on first run: 32 random bytes, file
    /// mode 0600. Refuses a secret file that other users can read.
    public static func loadOrCreateSecret(path: String) throws -> [UInt8] {
        try SecretFile.loadOrCreate(path: (path as NSString).expandingTildeInPath, randomBytes: SecretFile.systemRandomBytes)
    }

    /// A signed token for `subject`, valid from now for `ttl` seconds, with `jti`, `iat`
    /// (to the sub-second), `nbf`, `exp` (whole seconds), `iss`, `aud` and, when given, `roles`.
    /// - Parameter maxTTL: the longest lifetime allowed (a gateway refuses longer tokens anyway).
    public func mint(
        subject: String, ttl: TimeInterval = GatewayConfiguration.defaultTokenTTL, roles: [String] = [],
        maxTTL: TimeInterval = 30 * 86_400
    ) async throws -> String {
        let name = subject.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.utf8.count <= 128, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw BedsideError(.badRequest, "The subject must be 1 to 128 printable characters.")
        }
        guard ttl >= 1, ttl <= maxTTL else {
            throw BedsideError(.badRequest, "The token lifetime must be between 1 second and \(Self.spell(maxTTL)) (raise the limit with --max-ttl).")
        }
        for role in roles where !TokenRole.all.contains(role) {
            throw BedsideError(.badRequest, "Unknown role \"\(role)\"; the roles are: \(TokenRole.all.sorted().joined(separator: ", ")).")
        }
        // `iat` keeps the clock's sub-second precision (RFC 7519 allows a non-integer
        // NumericDate): a subject's revocation refuses tokens issued at or before its time,
        // and a whole-second `iat` made a token minted in the same second after
        // `token revoke --subject` look older than the revocation, so it was born revoked.
        let issuedAt = clock().timeIntervalSince1970
        let now = issuedAt.rounded(.down)
        let jti = newID()
        let sortedRoles = Array(Set(roles)).sorted()
        let claims = TokenClaims(
            sub: name, exp: now + ttl.rounded(.down), nbf: now, iat: issuedAt, iss: issuer, aud: .init([audience]), jti: jti,
            roles: sortedRoles.isEmpty ? nil : sortedRoles)
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let token = try await keys.sign(claims)
        try await database?.recordIssuedToken(
            jti: jti, subject: name, issuedAt: Date(timeIntervalSince1970: issuedAt),
            expiresAt: Date(timeIntervalSince1970: now + ttl.rounded(.down)), roles: sortedRoles)
        return token
    }

    /// `30 days`, `12 hours`, `90 seconds`.
    static func spell(_ t: TimeInterval) -> String {
        if t >= 86_400, t.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(t / 86_400)) days" }
        if t >= 3600, t.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(t / 3600)) hours" }
        return "\(Int(t)) seconds"
    }
}
