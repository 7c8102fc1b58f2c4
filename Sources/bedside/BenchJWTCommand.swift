import ArgumentParser
import Foundation
import LocalGateway

/// `bedside bench-jwt`: token verification cost, for bench/gateway.sh.
struct BenchJWTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-jwt",
        abstract: "Measure JWT verification (HS256 and ES256) in microseconds per token.",
        discussion: "Each figure is a full verification (header, signature, claims) unless marked cached.",
        shouldDisplay: false
    )

    @Option(help: "Verifications per measurement.")
    var iterations = 20_000

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive.") }
        let r = try await JWTBenchmark.runDetailed(iterations: iterations)
        if json {
            let obj = ["hs256_us": r.hs256Micros, "hs256_cached_us": r.hs256CachedMicros, "es256_us": r.es256Micros]
            let data = try JSONSerialization.data(withJSONObject: obj.mapValues { ($0 * 100).rounded() / 100 }, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(String(format: "HS256 (jwt-kit)              %8.2f us/token", r.hs256Micros))
        print(String(format: "HS256 (verified-token cache) %8.2f us/token", r.hs256CachedMicros))
        print(String(format: "ES256 (jwt-kit)              %8.2f us/token", r.es256Micros))
    }
}
