import Testing

@testable import LocalGateway

@Suite("JWT benchmark")
struct JWTBenchmarkTests {
    @Test func runsAndReportsEveryPath() async throws {
        let r = try await JWTBenchmark.runDetailed(iterations: 40)
        #expect(r.hs256Micros > 0 && r.hs256CachedMicros > 0 && r.es256Micros > 0)
        // The cache must beat a full verification, or it is not worth having.
        #expect(r.hs256CachedMicros < r.hs256Micros)
        print("JWT verify (debug build): HS256 jwt-kit \(r.hs256Micros) µs, cached \(r.hs256CachedMicros) µs, ES256 \(r.es256Micros) µs")
    }
}
