import Core
import Crypto
import Foundation
import JWTKit

/// Verifies bearer tokens: size, strict header, key choice, then jwt-kit (signature and
/// payload), then the claims. A repeated token is answered from the verified-token cache
/// (a `BoundedCache` keyed by the token's SHA-256, the token itself is not kept); its time
/// claims and revocation are checked again on every use.
public final class TokenVerifier: Sendable {
    package struct Fingerprint: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64
    }

    package let keys: KeyRing
    package let validator: ClaimsValidator
    package let maxTokenBytes: Int
    package let cache: BoundedCache<Fingerprint, VerifiedIdentity>
    package let clock: GatewayClock
    /// Revoked tokens (nil: nothing is ever revoked, as in the benchmark).
    package let revocations: (any RevocationChecking)?

    package init(
        keys: KeyRing, validator: ClaimsValidator, maxTokenBytes: Int, cacheSize: Int, clock: GatewayClock,
        revocations: (any RevocationChecking)? = nil
    ) {
        self.keys = keys
        self.validator = validator
        self.maxTokenBytes = maxTokenBytes
        self.cache = BoundedCache(capacity: cacheSize)
        self.clock = clock
        self.revocations = revocations
    }

    package static func fingerprint(_ token: String) -> Fingerprint {
        var hasher = SHA256()
        if token.utf8.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(token.utf8))
        }
        return hasher.finalize().withUnsafeBytes { raw in
            Fingerprint(
                a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                c: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    /// Authenticates an `Authorization` header value.
    package func authenticate(authorization: String?) async throws(AuthFailure) -> VerifiedIdentity {
        guard let authorization, !authorization.isEmpty else { throw AuthFailure(.missing, "No bearer token was sent.") }
        guard authorization.utf8.count <= maxTokenBytes + 16 else { throw AuthFailure(.tooLarge, "The token is larger than \(maxTokenBytes) bytes.") }
        guard let token = Self.bearerToken(authorization) else {
            throw AuthFailure(.malformedHeader, "The Authorization header must be 'Bearer <token>'.")
        }
        return try await verify(token: token)
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, spaces around the token
    /// ignored), read byte by byte: Foundation's trimming costs more than verifying.
    package static func bearerToken(_ header: String) -> String? {
        var utf8 = Substring(header).utf8[...]
        let scheme = Array("bearer".utf8)
        guard utf8.count > scheme.count else { return nil }
        for expected in scheme {
            guard let c = utf8.popFirst(), c | 0x20 == expected else { return nil }
        }
        guard let space = utf8.first, space == 0x20 else { return nil }
        while utf8.first == 0x20 { utf8.removeFirst() }
        while utf8.last == 0x20 { utf8.removeLast() }
        guard !utf8.isEmpty, !utf8.contains(0x20) else { return nil }
        return String(Substring(utf8))
    }

    /// The identity of an `Authorization` header whose token is in the verified-token cache,
    /// still within its times and known not to be revoked, without waiting on anything; nil
    /// otherwise (the caller then goes through `authenticate`, which says why it fails).
    package func cachedIdentity(authorization: String?) -> VerifiedIdentity? {
        guard let authorization, authorization.utf8.count <= maxTokenBytes + 16, let token = Self.bearerToken(authorization),
            let known = cache.get(Self.fingerprint(token))
        else { return nil }
        guard (try? validator.checkTime(known, now: clock.now())) != nil else { return nil }
        if let revocations, revocations.knownRevoked(known) != false { return nil }
        return known
    }

    package func verify(token: String) async throws(AuthFailure) -> VerifiedIdentity {
        guard token.utf8.count <= maxTokenBytes else { throw AuthFailure(.tooLarge, "The token is larger than \(maxTokenBytes) bytes.") }
        let fingerprint = Self.fingerprint(token)
        let now = clock.now()
        let identity: VerifiedIdentity
        if let known = cache.get(fingerprint) {
            do { try validator.checkTime(known, now: now) } catch {
                cache.remove(fingerprint)
                throw error
            }
            identity = known
        } else {
            identity = try await verifyUncached(token: token, now: now)
            cache.set(fingerprint, identity)
        }
        // Checked on every use, cached or not, so a revocation holds at once.
        if let revocations, await revocations.isRevoked(identity) {
            throw AuthFailure(.revoked, "The token has been revoked; ask for a new one.")
        }
        return identity
    }

    /// Full verification without the cache.
    package func verifyUncached(token: String, now: Date) async throws(AuthFailure) -> VerifiedIdentity {
        guard token.utf8.count <= maxTokenBytes else { throw AuthFailure(.tooLarge, "The token is larger than \(maxTokenBytes) bytes.") }
        let header = try ParsedToken(token).header()
        let claims: TokenClaims
        switch header.alg {
        case "HS256":
            guard header.kid == nil || header.kid == KeyRing.localKeyID else {
                throw AuthFailure(.unknownKey, "HS256 tokens must not name a key other than the local one (kid).")
            }
            claims = try await verifyWithJWTKit(token, keys.hmacCollection)
        case "ES256", "RS256":
            guard let kid = header.kid else { throw AuthFailure(.unknownKey, "\(header.alg) tokens must name their key (kid).") }
            guard let kind = keys.publicKinds[kid] else { throw AuthFailure(.unknownKey, "The token names a key this gateway does not know (kid).") }
            guard kind.rawValue == header.alg else {
                throw AuthFailure(.unsupportedAlgorithm, "The token's algorithm does not match its key (\(header.alg) with a \(kind.rawValue) key).")
            }
            claims = try await verifyWithJWTKit(token, keys.publicCollection)
        default:
            throw AuthFailure(
                .unsupportedAlgorithm, "The token's algorithm is not accepted (alg \(Self.printable(header.alg))); use HS256, ES256 or RS256.")
        }
        return try validator.validate(claims, now: now)
    }

    private func verifyWithJWTKit(_ token: String, _ collection: JWTKeyCollection) async throws(AuthFailure) -> TokenClaims {
        do {
            return try await collection.verify(token, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .malformedToken {
            throw AuthFailure(.malformed, "The token's claims are malformed.")
        } catch {
            throw AuthFailure(.badSignature, "The token's signature is not valid.")
        }
    }

    package static func printable(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.isASCII && $0.properties.generalCategory != .control }.prefix(20).map(Character.init))
    }
}

/// Tells whether a verified token has been revoked (the gateway's `RevocationList`, which
/// reads the database; this module does not depend on the store).
package protocol RevocationChecking: Sendable {
    func isRevoked(_ identity: VerifiedIdentity) async -> Bool
    /// The answer from what is known now, or nil when the list is due to be read again.
    func knownRevoked(_ identity: VerifiedIdentity) -> Bool?
}

/// The three segments of a compact JWS, checked for shape before any key is chosen.
package struct ParsedToken {
    /// The segments, still in base64url.
    package let headerSegment: ArraySlice<UInt8>
    package let payload: ArraySlice<UInt8>
    package let signature: ArraySlice<UInt8>

    package init(_ token: String) throws(AuthFailure) {
        let bytes = Array(token.utf8)
        var dots: [Int] = []
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: ".") {
            dots.append(i)
            if dots.count > 2 { break }
        }
        guard dots.count == 2 else { throw AuthFailure(.malformed, "The token is malformed (a JWT has three parts).") }
        headerSegment = bytes[0..<dots[0]]
        payload = bytes[(dots[0] + 1)..<dots[1]]
        signature = bytes[(dots[1] + 1)...]
        guard !headerSegment.isEmpty, !payload.isEmpty else { throw AuthFailure(.malformed, "The token is malformed.") }
    }

    package struct Header {
        package var alg: String
        package var kid: String?
    }

    /// Reads the header strictly: only `alg`, `typ` (`JWT`) and `kid`, all strings. Members
    /// such as `crit`, `jku`, `jwk` or `x5u` that would change how the token is checked are
    /// refused. The payload and signature must be canonical base64url.
    package func header() throws(AuthFailure) -> Header {
        let (alg, kid) = try Self.readHeader(headerSegment)
        guard Base64URL.decode(payload) != nil else { throw AuthFailure(.malformed, "The token is malformed.") }
        guard !signature.isEmpty, Base64URL.decode(signature) != nil else {
            if alg.lowercased() == "none" { throw AuthFailure(.unsupportedAlgorithm, "Unsigned tokens (alg none) are refused.") }
            throw AuthFailure(.badSignature, "The token's signature is not valid.")
        }
        return Header(alg: alg, kid: kid)
    }

    private static func readHeader(_ segment: ArraySlice<UInt8>) throws(AuthFailure) -> (String, String?) {
        guard let json = Base64URL.decode(segment),
            let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
        else {
            throw AuthFailure(.malformed, "The token's header is malformed.")
        }
        // A repeated member (`{"alg":"none","alg":"HS256"}`) is refused, not resolved: every
        // value is a string, so each member is one colon outside the strings.
        guard Self.membersOutsideStrings(json) == object.count else { throw AuthFailure(.malformed, "The token's header repeats a member.") }
        var fields: [String: String] = [:]
        for name in object.keys.sorted() { // sorted: the same member is named every time
            let value = object[name]
            switch name {
            case "alg", "typ", "kid":
                guard let string = value as? String else { throw AuthFailure(.malformed, "The token's header is malformed.") }
                fields[name] = string
            default: throw AuthFailure(.malformed, "The token's header has a member this gateway does not accept (\(TokenVerifier.printable(name))).")
            }
        }
        if let typ = fields["typ"], typ.uppercased() != "JWT" { throw AuthFailure(.malformed, "The token's type is not JWT.") }
        guard let alg = fields["alg"] else { throw AuthFailure(.malformed, "The token's header has no algorithm (alg).") }
        if let kid = fields["kid"], kid.isEmpty || kid.utf8.count > 256 {
            throw AuthFailure(.unknownKey, "The token's key id (kid) is not acceptable.")
        }
        return (alg, fields["kid"])
    }

    /// Colons outside JSON strings (the member count of a flat object).
    private static func membersOutsideStrings(_ json: [UInt8]) -> Int {
        var count = 0
        var inString = false
        var escaped = false
        for byte in json {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ":") {
                count += 1
            }
        }
        return count
    }
}
