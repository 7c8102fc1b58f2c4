import Foundation
import JWTKit

/// The registered claims the gateway reads. Dates are plain JSON numbers (seconds since
/// 1970) so that both verification paths decode them identically; their meaning is
/// checked by `ClaimsValidator` against the gateway clock, not by jwt-kit.
public struct TokenClaims: JWTPayload, Equatable {
    public var sub: String?
    public var exp: Double?
    public var nbf: Double?
    public var iat: Double?
    public var iss: String?
    public var aud: Audience?
    public var jti: String?
    /// Roles beyond asking questions, e.g. `["auditor"]` (reads the whole audit trail).
    public var roles: [String]?

    public init(
        sub: String?, exp: Double?, nbf: Double? = nil, iat: Double? = nil, iss: String? = nil, aud: Audience? = nil, jti: String? = nil,
        roles: [String]? = nil
    ) {
        self.sub = sub
        self.exp = exp
        self.nbf = nbf
        self.iat = iat
        self.iss = iss
        self.aud = aud
        self.jti = jti
        self.roles = roles
    }

    /// Claims are validated by `ClaimsValidator` with the gateway's clock and leeway.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// `aud` is a string or an array of strings (RFC 7519 §4.1.3).
    public struct Audience: Codable, Sendable, Equatable {
        public var values: [String]
        public init(_ values: [String]) { self.values = values }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(String.self) { values = [one] } else { values = try c.decode([String].self) }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            if values.count == 1 { try c.encode(values[0]) } else { try c.encode(values) }
        }
    }
}

/// Who a verified token speaks for, with the time bounds re-checked on every use.
package struct VerifiedIdentity: Sendable, Hashable {
    package var subject: String
    package var expiresAt: Double
    package var notBefore: Double?
    package var issuedAt: Double?
    /// The token's id, for revocation.
    package var jti: String?
    package var roles: Set<String> = []
}

/// Roles a token can carry.
public enum TokenRole {
    /// Reads every subject's audit rows (`GET /v1/audit`).
    public static let auditor = "auditor"
    public static let all: Set<String> = [auditor]
}
