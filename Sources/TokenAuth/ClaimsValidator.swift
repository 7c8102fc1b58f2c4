import Foundation

/// Checks `sub`, `exp`, `nbf`, `iat`, `iss` and `aud` with a small leeway for clock skew.
package struct ClaimsValidator: Sendable {
    package var issuer: String
    package var audience: String
    package var leeway: TimeInterval
    /// Longest lifetime accepted (`exp` − `iat`, or `exp` − now without `iat`).
    package var maxLifetime: TimeInterval = 30 * 86_400

    package init(issuer: String, audience: String, leeway: TimeInterval, maxLifetime: TimeInterval = 30 * 86_400) {
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.maxLifetime = maxLifetime
    }

    package func validate(_ claims: TokenClaims, now: Date) throws(AuthFailure) -> VerifiedIdentity {
        guard let sub = claims.sub, !sub.isEmpty else { throw AuthFailure(.missingClaim, "The token has no subject (sub).") }
        guard sub.utf8.count <= 256, !Self.hasControlCharacters(sub) else {
            throw AuthFailure(.malformed, "The token's subject is not acceptable.")
        }
        guard let exp = claims.exp, exp.isFinite else { throw AuthFailure(.missingClaim, "The token has no expiry (exp).") }
        guard claims.iss == issuer else { throw AuthFailure(.wrongIssuer, "The token was not issued by this gateway (iss).") }
        guard let aud = claims.aud, aud.values.contains(audience) else {
            throw AuthFailure(.wrongAudience, "The token is not meant for this gateway (aud).")
        }
        let lifetime = exp - (claims.iat ?? now.timeIntervalSince1970)
        guard lifetime <= maxLifetime + leeway else {
            throw AuthFailure(
                .lifetimeTooLong, "The token lives longer than this gateway allows (\(Int(maxLifetime / 86_400)) days); create a shorter one.")
        }
        let roles = Set(claims.roles ?? [])
        guard roles.isSubset(of: TokenRole.all) else { throw AuthFailure(.malformed, "The token names a role this gateway does not know.") }
        let identity = VerifiedIdentity(subject: sub, expiresAt: exp, notBefore: claims.nbf, issuedAt: claims.iat, jti: claims.jti, roles: roles)
        try checkTime(identity, now: now)
        return identity
    }

    package static func hasControlCharacters(_ s: String) -> Bool {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return false } // plain ASCII: the usual case
        return s.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// The time-dependent checks, repeated for tokens served from the verified-token cache.
    package func checkTime(_ identity: VerifiedIdentity, now: Date) throws(AuthFailure) {
        let t = now.timeIntervalSince1970
        guard t < identity.expiresAt + leeway else {
            throw AuthFailure(.expired, "The token has expired; create a new one with `bedside token create`.")
        }
        if let nbf = identity.notBefore {
            guard nbf.isFinite, nbf - leeway <= t else { throw AuthFailure(.notYetValid, "The token is not valid yet (nbf).") }
        }
        if let iat = identity.issuedAt {
            guard iat.isFinite, iat - leeway <= t else { throw AuthFailure(.issuedInFuture, "The token claims to be issued in the future (iat).") }
        }
    }
}
