import Core
import Crypto
import Foundation
import JWTKit
import TokenAuth

/// The differential oracle for token verification: the same bytes go through the gateway's
/// verifier without its cache, through a verifier with its verified-token cache (twice, so
/// the second verdict comes from the cache), and through jwt-kit alone
/// (`JWTKeyCollection.verify`, then the same claim checks). The gateway's verdicts must
/// agree (accept with the same identity, or reject); a token the gateway accepts must be
/// accepted by jwt-kit alone with the same identity (the gateway's strict header rules may
/// only refuse more).
///
/// An input is one of (the first byte chooses):
/// - `T` + token: the rest is the token, verified as is;
/// - `P` + JSON: the rest is a payload, signed with the fixed secret under a plain HS256 header;
/// - `H` + header JSON + newline + payload JSON: both signed with the fixed secret;
/// - anything else: the whole input is the token.
/// Signing inside the harness lets the fuzzer reach the claims parsers with valid signatures.
package enum TokenOracle {
    /// The fixed HS256 secret (test only) and the fixed clock of the harness.
    package static let secret: [UInt8] = Array("bedside-fuzzing-secret-not-for-use-0123456789".utf8)
    package static let now = Date(timeIntervalSince1970: 1_800_000_000)
    package static let issuer = "bedside"
    package static let audience = "bedside-gateway"

    /// Verdict of one verification.
    package enum Verdict: Equatable, CustomStringConvertible {
        case accepted(VerifiedIdentity)
        case rejected(AuthFailure.Kind, String)

        package static func == (a: Verdict, b: Verdict) -> Bool {
            switch (a, b) {
            case (.accepted(let x), .accepted(let y)): x == y
            case (.rejected, .rejected): true // the reasons may differ (signature or claims read first)
            default: false
            }
        }

        package var description: String {
            switch self {
            case .accepted(let id): "accepted \(id)"
            case .rejected(let kind, let reason): "rejected \(kind.rawValue): \(reason)"
            }
        }
    }

    /// The verifiers, built once per process.
    package struct Harness: Sendable {
        package let verifier: TokenVerifier
        /// The same keys and clock, with a verified-token cache.
        package let cachedVerifier: TokenVerifier
        package let jwtKit: JWTKeyCollection
        package let validator: ClaimsValidator
    }

    package static func makeHarness() async throws -> Harness {
        let ring = try await KeyRing.make(secret: secret, jwksJSON: nil)
        let validator = ClaimsValidator(issuer: issuer, audience: audience, leeway: 10, maxLifetime: 30 * 86_400)
        let clock = GatewayClock(now: { now }, uptime: { .zero })
        let verifier = TokenVerifier(keys: ring, validator: validator, maxTokenBytes: 8192, cacheSize: 0, clock: clock)
        let cached = TokenVerifier(keys: ring, validator: validator, maxTokenBytes: 8192, cacheSize: 64, clock: clock)
        let kit = JWTKeyCollection()
        await kit.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return Harness(verifier: verifier, cachedVerifier: cached, jwtKit: kit, validator: validator)
    }

    /// The token an input stands for (see the type's documentation).
    package static func token(for input: [UInt8]) -> String {
        guard let mode = input.first else { return "" }
        let rest = Array(input.dropFirst())
        switch mode {
        case UInt8(ascii: "T"): return String(decoding: rest, as: UTF8.self)
        case UInt8(ascii: "P"): return sign(header: Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8), payload: rest)
        case UInt8(ascii: "H"):
            let cut = rest.firstIndex(of: 0x0A) ?? rest.endIndex
            return sign(header: Array(rest[..<cut]), payload: Array(rest[min(cut + 1, rest.endIndex)...]))
        default: return String(decoding: input, as: UTF8.self)
        }
    }

    /// `header.payload.signature` with the fixed secret, segments base64url-encoded as given.
    package static func sign(header: [UInt8], payload: [UInt8]) -> String {
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + Base64URL.encode(Array(mac))
    }

    /// nil when the verifiers agree, else a description of the disagreement.
    package static func check(_ input: [UInt8], _ harness: Harness) async -> String? {
        let token = token(for: input)
        let plain = await verdict { () async throws(AuthFailure) in try await harness.verifier.verifyUncached(token: token, now: now) }
        let first = await verdict { () async throws(AuthFailure) in try await harness.cachedVerifier.verify(token: token) }
        let again = await verdict { () async throws(AuthFailure) in try await harness.cachedVerifier.verify(token: token) }
        guard plain == first, plain == again else {
            return "the verifier and its cache disagree on \(token.debugDescription): uncached \(plain), first \(first), repeated \(again)"
        }
        if case .accepted(let identity) = plain {
            let alone: Verdict
            do {
                let claims = try await harness.jwtKit.verify(token, as: TokenClaims.self)
                alone = await verdict { () async throws(AuthFailure) in try harness.validator.validate(claims, now: now) }
            } catch {
                alone = .rejected(.badSignature, "jwt-kit: \(error)")
            }
            guard alone == .accepted(identity) else {
                return "the gateway accepts \(token.debugDescription) as \(identity) but jwt-kit alone says \(alone)"
            }
        }
        return nil
    }

    private static func verdict(_ body: () async throws(AuthFailure) -> VerifiedIdentity) async -> Verdict {
        do { return .accepted(try await body()) } catch { return .rejected(error.kind, error.reason) }
    }
}
