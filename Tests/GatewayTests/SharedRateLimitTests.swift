import Core
import Foundation
import SQLiteStore
import SharedState
import Testing

@testable import LocalGateway

/// A shared bucket store as a gateway sees it: answers from a table, or fails while `down`.
private final class FakeSharedBuckets: SharedRateLimitStore {
    let down = Locked(false)
    let tokens = Locked<[String: Double]>([:])
    let calls = Locked(0)

    func takeToken(subject: String, capacity: Double, refillPerSecond: Double) async throws -> SharedBucketTake {
        calls.withLock { $0 += 1 }
        if down.withLock({ $0 }) { throw BedsideError(.database, "store down") }
        return tokens.withLock { all in
            let left = all[subject] ?? capacity
            if left >= 1 {
                all[subject] = left - 1
                return SharedBucketTake(allowed: true, tokens: left - 1)
            }
            return SharedBucketTake(allowed: false, tokens: left)
        }
    }
}

@Suite("Shared rate limits")
struct SharedRateLimitTests {
    @Test func sharedBucketDecidesAndHeadersFollowIt() async {
        let store = FakeSharedBuckets()
        let clock = ManualClock()
        let limiter = RateLimiter(capacity: 3, refillPerSecond: 0.5, uptime: { clock.uptime }, shared: store)
        let first = await limiter.take(subject: "dr.ada")
        #expect(first == RateDecision(allowed: true, remaining: 2, resetSeconds: 2, retryAfterSeconds: 0))
        _ = await limiter.take(subject: "dr.ada")
        _ = await limiter.take(subject: "dr.ada")
        let refused = await limiter.take(subject: "dr.ada")
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 2)
        #expect(refused.resetSeconds == 6)
        #expect(store.calls.withLock { $0 } == 4)
        // The in-process buckets were not touched: the shared store is the only bucket.
        #expect(limiter.subjectCount == 0)
    }

    @Test func unreachableStoreFallsBackToInProcessBuckets() async {
        let store = FakeSharedBuckets()
        store.down.withLock { $0 = true }
        let clock = ManualClock()
        let limiter = RateLimiter(capacity: 2, refillPerSecond: 0.001, uptime: { clock.uptime }, shared: store)
        #expect(await limiter.take(subject: "dr.ada").allowed)
        #expect(await limiter.take(subject: "dr.ada").allowed)
        #expect(!(await limiter.take(subject: "dr.ada").allowed))
        // Back up: the shared bucket decides again (its own full bucket).
        store.down.withLock { $0 = false }
        #expect(await limiter.take(subject: "dr.ada").allowed)
    }

    @Test func storeURLIsValidatedAndItsPasswordNeverShown() throws {
        let key = GatewayConfiguration.Keys.storeURL
        #expect(ConfigRedaction.display("postgres://bedside:hunter2@db.example:5432/bedside", for: key).contains("hunter2") == false)
        let layers = ConfigLayers(environment: ["BEDSIDE_STORE_URL": "postgres://bedside@127.0.0.1:5433/bedside"])
        #expect(try GatewayConfiguration(layers: layers).storeURL == "postgres://bedside@127.0.0.1:5433/bedside")
        let bad = ConfigLayers(environment: ["BEDSIDE_STORE_URL": "mysql://x"])
        #expect(throws: BedsideError.self) { try GatewayConfiguration(layers: bad) }
    }
}
