import Core
import Foundation
import JWTKit

/// The keys tokens may be signed with: the local HS256 secret, and ES256/RS256 public keys
/// from an optional JWKS file, each with the one algorithm it may verify.
///
/// Two jwt-kit collections keep the families apart: jwt-kit falls back to its default key
/// for an unknown `kid` and does not compare the header's `alg` with the key's type, so
/// the gateway decides which collection (and key) a token may use before jwt-kit sees it.
package struct KeyRing: Sendable {
    package enum PublicKeyKind: String, Sendable {
        case es256 = "ES256"
        case rs256 = "RS256"
    }

    /// The only `kid` an HS256 token may carry (or none).
    package static let localKeyID = "local"

    package let hmacCollection: JWTKeyCollection
    package let publicKinds: [String: PublicKeyKind]
    package let publicCollection: JWTKeyCollection
    /// JWKS entries that were skipped (unsupported type or use), for the startup log.
    package let skipped: [String]

    package static func make(secret: [UInt8], jwksJSON: String?) async throws -> KeyRing {
        guard secret.count >= 32 else { throw BedsideError(.config, "The HS256 secret must be at least 32 bytes.") }
        let hmacCollection = JWTKeyCollection()
        await hmacCollection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let publicCollection = JWTKeyCollection()
        var kinds: [String: PublicKeyKind] = [:]
        var skipped: [String] = []
        if let jwksJSON {
            let jwks: JWKS
            do { jwks = try JSONDecoder().decode(JWKS.self, from: Data(jwksJSON.utf8)) } catch {
                throw BedsideError(.config, "The JWKS file is not a valid JSON Web Key Set.", detail: "\(error)")
            }
            for jwk in jwks.keys {
                guard let kid = jwk.keyIdentifier?.string, !kid.isEmpty, kid != localKeyID else {
                    skipped.append("(a key without a usable kid)")
                    continue
                }
                guard let kind = kindOf(jwk) else {
                    skipped.append(kid)
                    continue
                }
                do { try await publicCollection.add(jwk: jwk) } catch {
                    throw BedsideError(.config, "The JWKS key \(kid) cannot be used.", detail: "\(error)")
                }
                kinds[kid] = kind
            }
        }
        return KeyRing(hmacCollection: hmacCollection, publicKinds: kinds, publicCollection: publicCollection, skipped: skipped)
    }

    /// ES256 for P-256 EC keys, RS256 for RSA keys; nil for anything else.
    private static func kindOf(_ jwk: JWK) -> PublicKeyKind? {
        let alg = jwk.algorithm?.rawValue
        switch jwk.keyType.rawValue {
        case "EC":
            guard jwk.curve?.rawValue == "P-256", alg == nil || alg == "ES256" else { return nil }
            return .es256
        case "RSA":
            guard alg == nil || alg == "RS256" else { return nil }
            return .rs256
        default:
            return nil
        }
    }

    /// Loads the JWKS file, if one is configured.
    package static func readJWKS(path: String?) throws -> String? {
        guard let path, !path.isEmpty else { return nil }
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw BedsideError(.config, "Cannot read the JWKS file \(expanded).")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
