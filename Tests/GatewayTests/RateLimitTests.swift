import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import LocalGateway

@Suite("Rate limiting")
struct RateLimitTests {
    @Test func bucketSpendsAndRefillsWithTheClock() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 0.5, now: .seconds(100))
        #expect(bucket.take(now: .seconds(100)) == RateDecision(allowed: true, remaining: 2, resetSeconds: 2, retryAfterSeconds: 0))
        #expect(bucket.take(now: .seconds(100)).remaining == 1)
        #expect(bucket.take(now: .seconds(100)).remaining == 0)
        let refused = bucket.take(now: .seconds(100))
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 2) // one token takes 2 s at 0.5/s
        #expect(refused.resetSeconds == 6)
        #expect(!bucket.take(now: .seconds(101)).allowed) // half a token
        #expect(bucket.take(now: .seconds(102)).allowed) // one token after 2 s
        #expect(bucket.take(now: .seconds(1000)).remaining == 2) // refill caps at capacity
    }

    @Test func clockGoingBackwardsGrantsNothing() {
        var bucket = TokenBucket(capacity: 1, refillPerSecond: 1, now: .seconds(50))
        #expect(bucket.take(now: .seconds(50)).allowed)
        #expect(!bucket.take(now: .seconds(10)).allowed)
        #expect(!bucket.take(now: .seconds(50.5)).allowed)
    }

    @Test func concurrentRequestsNeverOverspend() async {
        let clock = ManualClock()
        let limiter = RateLimiter(capacity: 100, refillPerSecond: 10, uptime: { clock.uptime })
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1000 { group.addTask { limiter.takeLocal(subject: "dr.ada").allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(allowed == 100)
        // Another subject has its own bucket.
        #expect(limiter.takeLocal(subject: "nurse.bo").allowed)
        // 2.5 s later: 25 tokens, shared fairly among concurrent takers.
        clock.advance(seconds: 2.5)
        let later = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { limiter.takeLocal(subject: "dr.ada").allowed } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(later == 25)
    }

    @Test func idleFullBucketsAreForgotten() {
        let clock = ManualClock()
        let limiter = RateLimiter(capacity: 2, refillPerSecond: 1, uptime: { clock.uptime }, compactionThreshold: 10)
        for i in 0..<11 { _ = limiter.takeLocal(subject: "user\(i)") }
        #expect(limiter.subjectCount == 11)
        clock.advance(seconds: 5)
        _ = limiter.takeLocal(subject: "newcomer")
        #expect(limiter.subjectCount == 1)
    }

    @Test func overTheLimitIs429WithHeaders() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference()) {
            $0.rateLimitCapacity = 3
            $0.rateLimitRefillPerSecond = 0.1
        }
        defer { test.cleanup() }
        let token = try await test.token()
        let other = try await test.token("nurse.bo")
        try await test.app.test(.router) { client in
            for expected in [2, 1, 0] {
                try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.rateLimitPolicyHeader] == #""default";q=3;w=30"#)
                    #expect(r.headers[.rateLimitHeader]?.hasPrefix(#""default";r=\#(expected);t="#) == true)
                }
            }
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)) { r in
                #expect(r.status == .tooManyRequests)
                #expect(r.headers[.retryAfter] == "10")
                #expect(r.errorCode == "rate_limited")
                let retry = (try r.json()["error"] as? [String: Any])?["retry_after"] as? Int
                #expect(retry == 10)
                #expect(r.headers[.rateLimitHeader] == #""default";r=0;t=30"#)
            }
            // Errors inside the limit carry the headers too, and other subjects are unaffected.
            try await client.execute(uri: "/v1/answers/missing", method: .get, headers: .bearer(other)) { r in
                #expect(r.status == .notFound)
                #expect(r.headers[.rateLimitHeader]?.hasPrefix(#""default";r=2"#) == true)
            }
            test.clock.advance(seconds: 10)
            try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)) { #expect($0.status == .ok) }
        }
        let logged = test.logs.requests.compactMap { $0["ratelimit_remaining"] as? Int }
        #expect(logged.prefix(3) == [2, 1, 0])
    }

    @Test func concurrentHTTPRequestsRespectTheBucket() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference()) {
            $0.rateLimitCapacity = 20
            $0.rateLimitRefillPerSecond = 1
        }
        defer { test.cleanup() }
        let token = try await test.token()
        let statuses = try await test.app.test(.live) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<60 {
                    group.addTask { try await client.execute(uri: "/v1/history", method: .get, headers: .bearer(token)).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
        }
        #expect(statuses.filter { $0 == .ok }.count == 20)
        #expect(statuses.filter { $0 == .tooManyRequests }.count == 40)
    }
}

extension RateLimiter {
    /// Subjects with an in-process bucket (compaction forgets the full ones).
    var subjectCount: Int { buckets.withLock { $0.count } }
}
