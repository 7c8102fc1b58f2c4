import Core
import CryptoExtras
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Testing

@testable import LocalGateway

/// Keys and a gateway shared by the token tests (RSA key generation is slow).
actor AuthFixture {
    static let shared = AuthFixture()
    struct Parts: Sendable {
        let test: TestGateway
        let secret: [UInt8]
        let ecKey: ES256PrivateKey
        let otherEC: ES256PrivateKey
        let rsaKey: JWTKit.Insecure.RSA.PrivateKey
        var now: Double { test.clock.now.timeIntervalSince1970 }
    }
    private var parts: Parts?

    func get() async throws -> Parts {
        if let parts { return parts }
        let ecKey = ES256PrivateKey()
        let otherEC = ES256PrivateKey()
        let rsaKey = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let prims = try rsaKey.publicKey.getKeyPrimitives()
        let jwks = TokenFactory.jwks(ec: [("ec1", ecKey)], rsa: [("rsa1", TokenFactory.b64(prims.modulus), TokenFactory.b64(prims.publicExponent))])
        let folder = try TempDirectory(prefix: "bedside-jwks").path
        try jwks.write(toFile: folder + "/jwks.json", atomically: true, encoding: .utf8)
        let test = try await TestGateway.make(inference: ScriptedInference()) { $0.jwksPath = folder + "/jwks.json" }
        let secret = try TokenIssuer.loadOrCreateSecret(path: test.gateway.configuration.resolvedSecretPath(databasePath: test.database.path))
        let p = Parts(test: test, secret: secret, ecKey: ecKey, otherEC: otherEC, rsaKey: rsaKey)
        parts = p
        return p
    }
}

struct BadToken: Sendable, CustomTestStringConvertible {
    let name: String
    let expected: AuthFailure.Kind
    /// The Authorization header value (nil: no header).
    let header: @Sendable (AuthFixture.Parts) async throws -> String?
    var testDescription: String { name }
}

let badTokens: [BadToken] = {
    @Sendable func hs(_ p: AuthFixture.Parts, header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String) -> String {
        "Bearer " + TokenFactory.hs256(header: header, payload: payload, secret: p.secret)
    }
    @Sendable func ok(_ p: AuthFixture.Parts) -> String { TokenFactory.claims(exp: p.now + 3600, nbf: p.now - 10, iat: p.now - 10) }
    return [
        BadToken(name: "no Authorization header", expected: .missing) { _ in nil },
        BadToken(name: "Basic scheme", expected: .malformedHeader) { _ in "Basic ZHI6cGFzcw==" },
        BadToken(name: "Bearer without token", expected: .malformedHeader) { _ in "Bearer" },
        BadToken(name: "garbage", expected: .malformed) { _ in "Bearer not-a-jwt" },
        BadToken(name: "two segments", expected: .malformed) { _ in "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0" },
        BadToken(name: "four segments", expected: .malformed) { p in hs(p, payload: ok(p)) + ".extra" },
        BadToken(name: "header not base64url", expected: .malformed) { _ in "Bearer !!!.eyJzdWIiOiJ4In0.c2ln" },
        BadToken(name: "header not JSON", expected: .malformed) { p in
            "Bearer " + TokenFactory.b64("not json") + "." + TokenFactory.b64(ok(p)) + ".c2ln"
        },
        BadToken(name: "expired an hour ago", expected: .expired) { p in hs(p, payload: TokenFactory.claims(exp: p.now - 3600)) },
        BadToken(name: "expired just past the leeway", expected: .expired) { p in hs(p, payload: TokenFactory.claims(exp: p.now - 11)) },
        BadToken(name: "not yet valid (nbf)", expected: .notYetValid) { p in hs(p, payload: TokenFactory.claims(exp: p.now + 7200, nbf: p.now + 3600))
        },
        BadToken(name: "issued in the future (iat)", expected: .issuedInFuture) { p in
            hs(p, payload: TokenFactory.claims(exp: p.now + 7200, iat: p.now + 600))
        },
        BadToken(name: "wrong issuer", expected: .wrongIssuer) { p in hs(p, payload: TokenFactory.claims(exp: p.now + 60, iss: "evil")) },
        BadToken(name: "missing issuer", expected: .wrongIssuer) { p in hs(p, payload: TokenFactory.claims(exp: p.now + 60, iss: nil)) },
        BadToken(name: "wrong audience", expected: .wrongAudience) { p in
            hs(p, payload: TokenFactory.claims(exp: p.now + 60, aud: #""other-service""#))
        },
        BadToken(name: "audience list without ours", expected: .wrongAudience) { p in
            hs(p, payload: TokenFactory.claims(exp: p.now + 60, aud: #"["a","b"]"#))
        },
        BadToken(name: "missing audience", expected: .wrongAudience) { p in hs(p, payload: TokenFactory.claims(exp: p.now + 60, aud: nil)) },
        BadToken(name: "missing exp", expected: .missingClaim) { p in hs(p, payload: TokenFactory.claims(exp: nil)) },
        BadToken(name: "missing sub", expected: .missingClaim) { p in hs(p, payload: TokenFactory.claims(sub: nil, exp: p.now + 60)) },
        BadToken(name: "empty sub", expected: .missingClaim) { p in hs(p, payload: TokenFactory.claims(sub: "", exp: p.now + 60)) },
        BadToken(name: "exp as a string", expected: .malformed) { p in
            hs(p, payload: #"{"sub":"x","exp":"9999999999","iss":"bedside","aud":"bedside-gateway"}"#)
        },
        BadToken(name: "payload not JSON", expected: .malformed) { p in hs(p, payload: "{{{") },
        BadToken(name: "signed with another secret", expected: .badSignature) { p in
            "Bearer " + TokenFactory.hs256(payload: ok(p), secret: Array(repeating: 7, count: 32))
        },
        BadToken(name: "payload tampered after signing", expected: .badSignature) { p in
            let parts = hs(p, payload: ok(p)).dropFirst(7).split(separator: ".")
            let forged = TokenFactory.b64(TokenFactory.claims(sub: "admin", exp: p.now + 3600))
            return "Bearer \(parts[0]).\(forged).\(parts[2])"
        },
        BadToken(name: "signature tampered", expected: .badSignature) { p in
            var token = Array(hs(p, payload: ok(p)).utf8)
            let i = token.count - 5
            token[i] = token[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return String(decoding: token, as: UTF8.self)
        },
        BadToken(name: "signature stripped", expected: .badSignature) { p in
            let parts = hs(p, payload: ok(p)).split(separator: ".")
            return "\(parts[0]).\(parts[1])."
        },
        BadToken(name: "alg none", expected: .unsupportedAlgorithm) { p in
            "Bearer " + TokenFactory.unsigned(header: #"{"alg":"none","typ":"JWT"}"#, payload: ok(p))
        },
        BadToken(name: "alg NONE with a signature", expected: .unsupportedAlgorithm) { p in hs(p, header: #"{"alg":"NONE"}"#, payload: ok(p)) },
        BadToken(name: "alg HS512", expected: .unsupportedAlgorithm) { p in hs(p, header: #"{"alg":"HS512"}"#, payload: ok(p)) },
        BadToken(name: "HS256 naming the RSA key (HS/RS confusion)", expected: .unknownKey) { p in
            "Bearer "
                + TokenFactory.hs256(
                    header: #"{"alg":"HS256","kid":"rsa1"}"#, payload: ok(p), secret: Array(p.rsaKey.publicKey.pemRepresentation.utf8))
        },
        BadToken(name: "HS256 keyed with the RSA public key, no kid", expected: .badSignature) { p in
            "Bearer " + TokenFactory.hs256(payload: ok(p), secret: Array(p.rsaKey.publicKey.pemRepresentation.utf8))
        },
        BadToken(name: "RS256 header over an HMAC signature", expected: .badSignature) { p in
            "Bearer "
                + TokenFactory.hs256(
                    header: #"{"alg":"RS256","kid":"rsa1"}"#, payload: ok(p), secret: Array(p.rsaKey.publicKey.pemRepresentation.utf8))
        },
        BadToken(name: "ES256 naming the RSA key", expected: .unsupportedAlgorithm) { p in
            let c = TokenClaims(sub: "x", exp: p.now + 60, iss: "bedside", aud: .init(["bedside-gateway"]))
            let t = try await TokenFactory.es256(payload: c, key: p.ecKey, kid: "ec1")
            let parts = t.split(separator: ".")
            return "Bearer " + TokenFactory.b64(#"{"alg":"ES256","kid":"rsa1"}"#) + ".\(parts[1]).\(parts[2])"
        },
        BadToken(name: "unknown kid", expected: .unknownKey) { p in
            let c = TokenClaims(sub: "x", exp: p.now + 60, iss: "bedside", aud: .init(["bedside-gateway"]))
            return "Bearer " + (try await TokenFactory.es256(payload: c, key: p.ecKey, kid: "nope"))
        },
        BadToken(name: "ES256 without kid", expected: .unknownKey) { p in
            let c = TokenClaims(sub: "x", exp: p.now + 60, iss: "bedside", aud: .init(["bedside-gateway"]))
            let parts = try await TokenFactory.es256(payload: c, key: p.ecKey, kid: "ec1").split(separator: ".")
            return "Bearer " + TokenFactory.b64(#"{"alg":"ES256"}"#) + ".\(parts[1]).\(parts[2])"
        },
        BadToken(name: "ES256 signed by another EC key", expected: .badSignature) { p in
            let c = TokenClaims(sub: "x", exp: p.now + 60, iss: "bedside", aud: .init(["bedside-gateway"]))
            return "Bearer " + (try await TokenFactory.es256(payload: c, key: p.otherEC, kid: "ec1"))
        },
        BadToken(name: "token over 8 KB", expected: .tooLarge) { p in
            hs(p, payload: TokenFactory.claims(exp: p.now + 60, extra: #""pad":"\#(String(repeating: "x", count: 9000))""#))
        },
        BadToken(name: "crit header", expected: .malformed) { p in hs(p, header: #"{"alg":"HS256","crit":"exp"}"#, payload: ok(p)) },
        BadToken(name: "jku header", expected: .malformed) { p in hs(p, header: #"{"alg":"HS256","jku":"http://evil/keys"}"#, payload: ok(p)) },
        BadToken(name: "typ JWE", expected: .malformed) { p in hs(p, header: #"{"alg":"HS256","typ":"JWE"}"#, payload: ok(p)) },
        BadToken(name: "duplicate alg in header", expected: .malformed) { p in hs(p, header: #"{"alg":"none","alg":"HS256"}"#, payload: ok(p)) },
        BadToken(name: "duplicate alg spelled with an escape", expected: .malformed) { p in
            hs(p, header: #"{"alg":"none","\u0061lg":"HS256"}"#, payload: ok(p))
        },
        BadToken(name: "non-string kid", expected: .malformed) { p in hs(p, header: #"{"alg":"HS256","kid":7}"#, payload: ok(p)) },
        BadToken(name: "padded base64 segment", expected: .malformed) { p in
            let parts = hs(p, payload: ok(p)).split(separator: ".")
            return "\(parts[0])=.\(parts[1]).\(parts[2])"
        },
    ]
}()

@Suite("JWT authentication")
struct AuthTests {
    @Test("bad token is refused with 401", arguments: badTokens)
    func badTokenRefused(_ bad: BadToken) async throws {
        let p = try await AuthFixture.shared.get()
        let header = try await bad.header(p)
        do {
            if let header {
                let token = String(header.dropFirst(header.hasPrefix("Bearer ") ? 7 : 0))
                if header.hasPrefix("Bearer "), !token.isEmpty {
                    _ = try await p.test.gateway.verifier.verifyUncached(token: token, now: p.test.clock.now)
                } else {
                    _ = try await p.test.gateway.verifier.authenticate(authorization: header)
                }
            } else {
                _ = try await p.test.gateway.verifier.authenticate(authorization: nil)
            }
            Issue.record("\(bad.name) was accepted")
        } catch {
            #expect(error.kind == bad.expected, "\(bad.name): \(error.reason)")
        }
        // And over HTTP: 401, the challenge, the JSON error shape, no rate-limit spend.
        try await p.test.app.test(.router) { client in
            var headers: HTTPFields = [:]
            if let header { headers[.authorization] = header }
            try await client.execute(uri: "/v1/history", method: .get, headers: headers) { response in
                #expect(response.status == .unauthorized, "\(bad.name)")
                let challenge = response.headers[.wwwAuthenticate] ?? ""
                #expect(challenge.hasPrefix(#"Bearer realm="bedside""#))
                if bad.expected != .missing { #expect(challenge.contains("error=")) }
                #expect(response.errorCode == "unauthorized")
                #expect(response.headers[.rateLimitHeader] == nil)
            }
        }
    }

    @Test func hasAtLeastTwentyBadTokenCases() {
        #expect(badTokens.count >= 20)
    }

    @Test func validTokensOfEveryKindAreAccepted() async throws {
        let p = try await AuthFixture.shared.get()
        let v = p.test.gateway.verifier
        let now = p.now
        let minted = try await p.test.gateway.issuer.mint(subject: "dr.ada")
        let withinLeeway = TokenFactory.hs256(payload: TokenFactory.claims(exp: now - 5), secret: p.secret)
        let audList = TokenFactory.hs256(payload: TokenFactory.claims(exp: now + 60, aud: #"["x","bedside-gateway"]"#), secret: p.secret)
        let localKid = TokenFactory.hs256(header: #"{"alg":"HS256","kid":"local"}"#, payload: TokenFactory.claims(exp: now + 60), secret: p.secret)
        let claims = TokenClaims(sub: "remote-svc", exp: now + 60, iss: "bedside", aud: .init(["bedside-gateway"]))
        let es = try await TokenFactory.es256(payload: claims, key: p.ecKey, kid: "ec1")
        let rsaKeys = JWTKeyCollection()
        await rsaKeys.add(rsa: p.rsaKey, digestAlgorithm: .sha256, kid: "rsa1")
        let rs = try await rsaKeys.sign(claims, kid: "rsa1")
        for (name, token, subject) in [
            ("minted", minted, "dr.ada"), ("exp within leeway", withinLeeway, "dr.ada"), ("aud list", audList, "dr.ada"),
            ("kid local", localKid, "dr.ada"), ("ES256", es, "remote-svc"), ("RS256", rs, "remote-svc"),
        ] {
            let identity = try await v.verifyUncached(token: token, now: p.test.clock.now)
            #expect(identity.subject == subject, "\(name)")
        }
        try await p.test.app.test(.router) { client in
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(es)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(rs)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(minted)) { #expect($0.status == .ok) }
        }
    }

    @Test func cachedTokenIsRecheckedForExpiry() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token(ttl: 60)
        _ = try await test.gateway.verifier.verify(token: token)
        #expect(test.gateway.verifier.cache.count == 1)
        test.clock.advance(seconds: 30)
        #expect(try await test.gateway.verifier.verify(token: token).subject == "dr.ada")
        test.clock.advance(seconds: 45) // 75 s: past exp + 10 s leeway
        await #expect(throws: AuthFailure.self) { try await test.gateway.verifier.verify(token: token) }
        #expect(test.gateway.verifier.cache.count == 0)
    }

    @Test func tokenNeverAppearsInLogs() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token()
        let forged = TokenFactory.hs256(
            payload: TokenFactory.claims(exp: test.clock.now.timeIntervalSince1970 + 60), secret: Array(repeating: 1, count: 32))
        try await test.app.test(.router) { client in
            try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(forged), body: queryBody()) {
                #expect($0.status == .unauthorized)
            }
        }
        let all = test.logs.lines.joined()
        #expect(!all.isEmpty)
        #expect(!all.contains(token))
        #expect(!all.contains(forged))
        #expect(!all.contains(String(token.split(separator: ".")[2])))
    }

    @Test func issuerMintsExpectedClaimsAndRecordsTheToken() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.gateway.issuer.mint(subject: "nurse.bo", ttl: try parseDuration("8h"))
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(Array(parts[0].utf8)) ?? [])) as? [String: String]
        #expect(header?["alg"] == "HS256")
        let claims = try JSONDecoder().decode(TokenClaims.self, from: Data(Base64URL.decode(Array(parts[1].utf8)) ?? []))
        let now = test.clock.now.timeIntervalSince1970.rounded(.down)
        #expect(claims.sub == "nurse.bo")
        #expect(claims.iat == now && claims.nbf == now && claims.exp == now + 8 * 3600)
        #expect(claims.iss == "bedside" && claims.aud?.values == ["bedside-gateway"])
        #expect(claims.jti?.isEmpty == false)
        await #expect(throws: BedsideError.self) { try await test.gateway.issuer.mint(subject: "  ") }
        await #expect(throws: BedsideError.self) { try await test.gateway.issuer.mint(subject: "x", ttl: -1) }
    }

    /// `token revoke --subject` then `token create` within one second: the new token works,
    /// the one from before is refused (issue 19, finding 8: `iat` was floored to the second).
    @Test func aTokenMintedAfterARevocationInTheSameSecondIsValid() async throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_750_000_000.2))
        let test = try await TestGateway.make(inference: ScriptedInference(), clock: clock)
        defer { test.cleanup() }
        let before = try await test.token()
        clock.advance(seconds: 0.1)
        try await test.database.revokeSubject("dr.ada", at: clock.now)
        clock.advance(seconds: 0.2)
        let after = try await test.token()
        clock.advance(seconds: 0.6) // past the revocation list's refresh interval
        try await test.app.test(.router) { client in
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(before)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(after)) { #expect($0.status == .ok) }
        }
        let listed = try await test.database.issuedTokens(subject: "dr.ada")
        #expect(listed.count == 2)
        #expect(listed.filter { $0.revokedAt == nil }.count == 1)
    }

    /// A FIFO at the secret path is refused at once instead of waiting for a writer forever.
    @Test func aFIFOAtTheSecretPathIsRefusedWithoutHanging() throws {
        let folder = NSTemporaryDirectory() + "bedside-fifo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/gateway-secret"
        #expect(mkfifo(path, 0o600) == 0)
        #expect {
            try TokenIssuer.loadOrCreateSecret(path: path)
        } throws: { error in
            (error as? BedsideError)?.message.contains("is not a regular file") == true
        }
    }

    @Test func secretFileIsCreatedPrivateAndReused() throws {
        let folder = NSTemporaryDirectory() + "bedside-secret-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/sub/gateway-secret"
        let first = try TokenIssuer.loadOrCreateSecret(path: path)
        #expect(first.count == 32)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try TokenIssuer.loadOrCreateSecret(path: path) == first)
        chmod(path, 0o644)
        #expect(throws: BedsideError.self) { try TokenIssuer.loadOrCreateSecret(path: path) }
        chmod(path, 0o600)
        try "short".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        #expect(throws: BedsideError.self) { try TokenIssuer.loadOrCreateSecret(path: path) }
    }

    @Test(arguments: [("8h", 28_800.0), ("30m", 1800), ("90s", 90), ("2d", 172_800), ("1h30m", 5400), ("45", 45)])
    func durations(_ text: String, _ seconds: Double) throws {
        #expect(try parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "h", "8x", "-5m", "0s", "8h5", "abc"])
    func badDurations(_ text: String) {
        #expect(throws: BedsideError.self) { try parseDuration(text) }
    }

    @Test func bearerHeaderParsing() {
        #expect(TokenVerifier.bearerToken("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(TokenVerifier.bearerToken("bearer   abc  ") == "abc")
        #expect(TokenVerifier.bearerToken("BEARER x") == "x")
        #expect(TokenVerifier.bearerToken("Bearer") == nil)
        #expect(TokenVerifier.bearerToken("Bearer ") == nil)
        #expect(TokenVerifier.bearerToken("Bearerabc") == nil)
        #expect(TokenVerifier.bearerToken("Basic abc") == nil)
        #expect(TokenVerifier.bearerToken("Bearer a b") == nil)
        #expect(TokenVerifier.bearerToken("Bearér abc") == nil)
    }

    @Test func base64urlIsStrict() {
        #expect(Base64URL.decode(Array("TWFu".utf8)) == Array("Man".utf8))
        #expect(Base64URL.decode(Array("TWE".utf8)) == Array("Ma".utf8))
        #expect(Base64URL.decode(Array("TWF=".utf8)) == nil)
        #expect(Base64URL.decode(Array("TWF".utf8)) == nil) // non-zero trailing bits
        #expect(Base64URL.decode(Array("T".utf8)) == nil)
        #expect(Base64URL.encode(Array("Ma".utf8)) == "TWE")
    }
}
