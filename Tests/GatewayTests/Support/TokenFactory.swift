import Crypto
import Foundation
import JWTKit

@testable import LocalGateway

/// Builds tokens by hand (any header, any payload, any key), to attack the verifier.
enum TokenFactory {
    static func b64(_ bytes: some Collection<UInt8>) -> String { Base64URL.encode(Array(bytes)) }
    static func b64(_ json: String) -> String { b64(Array(json.utf8)) }

    static func hs256(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String, secret: [UInt8]) -> String {
        let input = b64(header) + "." + b64(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + b64(Array(mac))
    }

    static func unsigned(header: String, payload: String) -> String {
        b64(header) + "." + b64(payload) + "."
    }

    static func claims(
        sub: String? = "dr.ada", exp: Double?, nbf: Double? = nil, iat: Double? = nil, iss: String? = "bedside",
        aud: String? = #""bedside-gateway""#, extra: String = ""
    ) -> String {
        var parts: [String] = []
        if let sub { parts.append(#""sub":"\#(sub)""#) }
        if let exp { parts.append(#""exp":\#(Int(exp))"#) }
        if let nbf { parts.append(#""nbf":\#(Int(nbf))"#) }
        if let iat { parts.append(#""iat":\#(Int(iat))"#) }
        if let iss { parts.append(#""iss":"\#(iss)""#) }
        if let aud { parts.append(#""aud":\#(aud)"#) }
        if !extra.isEmpty { parts.append(extra) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Signs `payload` with an ES256 key through jwt-kit, with the given kid.
    static func es256(payload: TokenClaims, key: ES256PrivateKey, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(payload, kid: JWKIdentifier(string: kid))
    }

    static func jwks(ec: [(kid: String, key: ES256PrivateKey)], rsa: [(kid: String, modulus: String, exponent: String)] = []) -> String {
        var keys: [String] = []
        for (kid, key) in ec {
            let p = key.publicKey.parameters!
            keys.append(#"{"kty":"EC","crv":"P-256","kid":"\#(kid)","use":"sig","x":"\#(p.x)","y":"\#(p.y)"}"#)
        }
        for (kid, n, e) in rsa {
            keys.append(#"{"kty":"RSA","kid":"\#(kid)","alg":"RS256","n":"\#(n)","e":"\#(e)"}"#)
        }
        return #"{"keys":[\#(keys.joined(separator: ","))]}"#
    }
}
