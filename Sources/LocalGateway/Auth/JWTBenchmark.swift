import Foundation
import JWTKit

/// Measures token verification, for `bench/gateway.sh` (through a subcommand of the
/// executable). Every figure is a full uncached verification (header, signature, claims)
/// unless named `cached`.
public enum JWTBenchmark {
    public struct Result: Sendable, Hashable {
        /// HS256 through jwt-kit (header checks, signature, claims), uncached.
        public var hs256Micros: Double
        /// HS256 answered from the verified-token cache (what a repeated token costs).
        public var hs256CachedMicros: Double
        /// ES256 through jwt-kit.
        public var es256Micros: Double
    }

    /// Microseconds per verification of each kind (the median of the calls).
    public static func runDetailed(iterations: Int) async throws -> Result {
        let n = max(1, iterations)
        let secret = SecretFile.systemRandomBytes(32)
        let ecKey = ES256PrivateKey()
        guard let params = ecKey.publicKey.parameters else { throw JWTError.generic(identifier: "bench", reason: "no EC parameters") }
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"bench-es","alg":"ES256","x":"\#(params.x)","y":"\#(params.y)"}]}"#
        let ring = try await KeyRing.make(secret: secret, jwksJSON: jwks)
        let verifier = TokenVerifier(
            keys: ring, validator: ClaimsValidator(issuer: "bedside", audience: "bedside-gateway", leeway: 10),
            maxTokenBytes: 8192, cacheSize: 16, clock: .system)
        let hsToken = try await TokenIssuer(secret: secret).mint(subject: "bench", ttl: 3600)
        let now = Date().timeIntervalSince1970.rounded(.down)
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: ecKey, kid: "bench-es")
        let esToken = try await signer.sign(
            TokenClaims(sub: "bench", exp: now + 3600, nbf: now, iat: now, iss: "bedside", aud: .init(["bedside-gateway"])),
            kid: "bench-es")

        // The median of the calls, not the mean: on a busy machine one preemption inside the
        // loop (milliseconds) would otherwise outweigh forty microsecond-long calls.
        func measure(_ count: Int, _ body: () async throws -> Void) async throws -> Double {
            for _ in 0..<min(count, 200) { try await body() } // warm up
            let clock = ContinuousClock()
            var micros: [Double] = []
            micros.reserveCapacity(count)
            for _ in 0..<count {
                let start = clock.now
                try await body()
                micros.append((clock.now - start).seconds * 1e6)
            }
            micros.sort()
            return micros[micros.count / 2]
        }
        let date = Date()
        let hs = try await measure(n) { _ = try await verifier.verifyUncached(token: hsToken, now: date) }
        let cached = try await measure(n) { _ = try await verifier.verify(token: hsToken) }
        let es = try await measure(max(1, n / 4)) { _ = try await verifier.verifyUncached(token: esToken, now: date) }
        return Result(hs256Micros: hs, hs256CachedMicros: cached, es256Micros: es)
    }
}
