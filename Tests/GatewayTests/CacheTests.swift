import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLiteStore
import TestSupport
import Testing

@testable import LocalGateway

@Suite("Response cache and stale-if-error")
struct CacheTests {
    @Test func keyIgnoresSpellingButNotMeaning() {
        let base = QueryRequest(question: "What is sepsis?", filters: ["year": "2019", "source_id": "a"], topK: 5)
        let k = CacheKey(request: base, indexVersion: 3, model: "extractive")
        #expect(
            CacheKey(
                request: QueryRequest(question: "  what IS   sepsis ", filters: ["source_id": "a", "year": "2019"], topK: 5), indexVersion: 3,
                model: "extractive") == k)
        #expect(CacheKey(request: base, indexVersion: 4, model: "extractive").key != k.key)
        #expect(CacheKey(request: base, indexVersion: 4, model: "extractive").lineage == k.lineage)
        #expect(CacheKey(request: base, indexVersion: 3, model: "smollm2").key != k.key)
        #expect(CacheKey(request: base, indexVersion: 3, model: "smollm2").lineage == k.lineage)
        #expect(CacheKey(request: base, indexVersion: 3, model: "extractive", retriever: "hybrid").key != k.key)
        #expect(CacheKey(request: base, indexVersion: 3, model: "extractive", retriever: "hybrid").lineage == k.lineage)
        var other = base
        other.topK = 6
        #expect(CacheKey(request: other, indexVersion: 3, model: "extractive").key != k.key)
        other = base
        other.filters = ["year": "2020", "source_id": "a"]
        #expect(CacheKey(request: other, indexVersion: 3, model: "extractive").key != k.key)
        // A separator inside text cannot make two different requests collide.
        let a = CacheKey(request: QueryRequest(question: "a", filters: ["b|1:c": "d"]), indexVersion: 1, model: "m")
        let b = CacheKey(request: QueryRequest(question: "a", filters: ["b": "1:c|d"]), indexVersion: 1, model: "m")
        #expect(a.key != b.key)
        #expect(k.key.count == 64)
    }

    @Test func encodedAnswerMatchesAFullEncoding() throws {
        var answer = sampleAnswer()
        answer.answerID = "origin-1"
        let encoded = try #require(try EncodedAnswer(answer))
        answer.cached = true
        answer.stale = false
        // Each asker's own question (any characters JSON escapes) and time are spliced in.
        let askers: [(String, Date)] = [
            (answer.question, answer.createdAt), ("sepsis fluid bolus for patient john smith in bed 12", Date(timeIntervalSince1970: 1_750_000_123)),
            ("Dose for \"Zoë\" \\ bed 7/8?\tnow\n", Date(timeIntervalSince1970: 0)),
        ]
        for id in ["a1", "0c1d5e9a-7f00-4b1e-9a55-2f3c4d5e6f70", "origin-1"] {
            answer.answerID = id
            for (question, createdAt) in askers {
                answer.question = question
                answer.createdAt = createdAt
                for latency in [0.0, 0.41, 12.5, 1234.56, 3.0, 0.07, 99999.99] {
                    answer.latencyMS = latency
                    let asker = try EncodedAnswer.Asker(question: question, createdAt: createdAt)
                    let spliced = try #require(encoded.body(answerID: id, asker: asker, latencyMS: latency))
                    let full = try WireCoding.encoder().encode(answer)
                    #expect(Array(spliced.readableBytesView) == Array(full), "id \(id), question \(question), latency \(latency)")
                }
            }
        }
        // An id that would need escaping is not spliced (the caller encodes the whole answer).
        let asker = try EncodedAnswer.Asker(question: "q", createdAt: Date())
        #expect(encoded.body(answerID: #"a"b"#, asker: asker, latencyMS: 1) == nil)
    }

    @Test func latencySpellingMatchesJSONEncoder() throws {
        var values: [Double] = [0, 0.01, 0.1, 0.41, 1, 3, 12.5, 99.99, 100, 1234.56, 99999.99, 123456.78]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append((Double.random(in: 0..<200_000, using: &rng) * 100).rounded() / 100) }
        let encoder = WireCoding.encoder()
        for v in values {
            #expect(EncodedAnswer.spell(v) == Array(try encoder.encode(v)), "\(v)")
        }
    }

    @Test func boundedCacheEvictsLeastRecentlyUsed() {
        let lru = BoundedCache<String, Int>(capacity: 3)
        lru.set("a", 1)
        lru.set("b", 2)
        lru.set("c", 3)
        #expect(lru.get("a") == 1) // a is now most recent
        lru.set("d", 4) // evicts b, not everything
        #expect(lru.get("b") == nil)
        #expect(lru.keysByRecency() == ["d", "a", "c"])
        lru.remove("a")
        #expect(lru.keysByRecency() == ["d", "c"])
        lru.set("e", 5)
        lru.set("f", 6)
        #expect(lru.count == 3)
        #expect(lru.keysByRecency() == ["f", "e", "d"])
        lru.set("e", 50) // replacing refreshes recency, keeps the count
        #expect(lru.keysByRecency() == ["e", "f", "d"] && lru.get("e") == 50 && lru.count == 3)
        let none = BoundedCache<String, Int>(capacity: 0)
        none.set("x", 1)
        #expect(none.get("x") == nil)
    }

    /// Many tasks at once against a small cache: it never holds more than its capacity, and
    /// every key read back maps to the value written for it.
    @Test func boundedCacheStaysBoundedUnderConcurrentUse() async {
        let cache = BoundedCache<Int, Int>(capacity: 16)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask {
                    for i in 0..<2000 {
                        let k = (i * 7 + t) % 64
                        cache.set(k, k * 10)
                        if let v = cache.get((k + 3) % 64) { #expect(v == ((k + 3) % 64) * 10) }
                    }
                }
            }
        }
        #expect(cache.count == 16)
        #expect(Set(cache.keysByRecency()).count == 16)
    }

    @Test func secondAskIsACacheHitAndNoCacheBypassesReading() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(first.status == .ok)
            #expect(first.headers[.xCache] == "miss")
            let a1 = try first.decode(Answer.self)
            #expect(!a1.cached && !a1.stale && a1.answerID != nil && a1.indexVersion == 1)

            let second = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token),
                body: queryBody("what is the FIRST-LINE treatment for sepsis"))
            #expect(second.headers[.xCache] == "hit")
            let a2 = try second.decode(Answer.self)
            // The asker's own record in the words of this request (issue 19): their spelling, a record of its own.
            #expect(a2.cached && !a2.stale && a2.answer == a1.answer)
            #expect(a2.question == "what is the FIRST-LINE treatment for sepsis" && a2.answerID != a1.answerID)
            #expect(inference.calls == 1)

            let bypass = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token, [.cacheControl: "no-cache"]), body: queryBody())
            #expect(bypass.headers[.xCache] == "bypass")
            let a3 = try bypass.decode(Answer.self)
            #expect(!a3.cached && a3.answerID != a1.answerID)
            #expect(inference.calls == 2)

            // The bypassing request still wrote the cache: the next ask gets its answer.
            let fourth = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(try fourth.decode(Answer.self).answerID == a3.answerID)
            #expect(inference.calls == 2)

            // Past the TTL the entry is not fresh any more.
            test.clock.advance(seconds: test.gateway.configuration.cacheTTL + 1)
            let fifth = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(fifth.headers[.xCache] == "miss")
            #expect(inference.calls == 3)
        }
        let audit = try await test.database.auditRecords()
        #expect(audit.count == 5)
        #expect(audit.map(\.cached) == [false, true, false, true, false])
        #expect(test.logs.requests.compactMap { $0["cache"] as? String } == ["miss", "hit", "bypass", "hit", "miss"])
    }

    /// A hit is served from the JSON encoded when the answer was cached: for its owner and
    /// for another subject (shown their own record's id), the bytes are exactly what encoding
    /// the served answer gives.
    @Test func hitBodiesAreTheEncodingOfTheServedAnswer() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let ada = try await test.token()
        let bo = try await test.token("nurse.bo")
        try await test.app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(ada), body: queryBody())
            let original = try first.decode(Answer.self)
            var ids: Set<String> = []
            for token in [ada, bo, bo] {
                let hit = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
                #expect(hit.headers[.xCache] == "hit")
                let answer = try hit.decode(Answer.self)
                #expect(answer.cached && !answer.stale && answer.answer == original.answer)
                #expect(Array(hit.body.readableBytesView) == Array(try WireCoding.encoder().encode(answer)))
                ids.insert(try #require(answer.answerID))
            }
            let originalID = try #require(original.answerID)
            #expect(ids.count == 2 && ids.contains(originalID)) // bo has a record of their own
            #expect(inference.calls == 1)
        }
    }

    @Test func inferenceFailureServesTheStaleAnswer() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let fresh = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            let original = try fresh.decode(Answer.self)
            inference.mode = .fail(BedsideError(.inferenceUnavailable, "llama-server is down"))
            test.clock.advance(seconds: test.gateway.configuration.cacheTTL + 5) // expired: no fresh hit

            for headers in [HTTPFields.bearer(token), .bearer(token, [.cacheControl: "no-cache"])] {
                let stale = try await client.execute(uri: "/v1/query", method: .post, headers: headers, body: queryBody())
                #expect(stale.status == .ok)
                #expect(stale.headers[.xCache] == "stale")
                #expect(stale.headers[.warningHeader] == #"110 - "Response is Stale""#)
                #expect(stale.headers[.xStale] == "1")
                let answer = try stale.decode(Answer.self)
                #expect(answer.stale && answer.cached && answer.answerID == original.answerID && answer.answer == original.answer)
            }

            // A question never answered before: 503 with the error shape and a retry hint.
            let none = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("What dose of heparin?"))
            #expect(none.status == .serviceUnavailable)
            #expect(none.errorCode == "inference_unavailable")
            #expect(none.headers[.retryAfter] != nil)
            let error = try #require(try none.json()["error"] as? [String: Any])
            #expect(error["retry_after"] as? Int != nil)
            #expect(error["detail"] == nil)
            #expect((error["message"] as? String)?.contains("No cached answer") == true)
        }
        let audit = try await test.database.auditRecords() // newest first
        #expect(audit[0].outcome == "error:inference_unavailable" && audit[0].answerID == nil && audit[0].question == "What dose of heparin?")
        #expect(audit[1].stale && audit[2].stale)
        #expect(!test.logs.lines.joined().contains("What dose of heparin")) // questions stay out of the log by default
    }

    @Test func timeoutServesStaleOrTimeoutError() async throws {
        let inference = ScriptedInference()
        // 3 s: the first, instant answer must be cached even on a loaded machine.
        let test = try await TestGateway.make(inference: inference) { $0.inferenceTimeout = 3.0 }
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(first.status == .ok)
            inference.mode = .hang
            // The scripted inference hangs forever; only the gateway's 3 s timeout can end this
            // request. The deadline is the point (the timeout fired), and ends the test if it did
            // not; loose because CI machines are shared and loaded.
            let stale = try await within(.seconds(15), "the gateway's 3 s inference timeout") {
                try await client.execute(
                    uri: "/v1/query", method: .post, headers: .bearer(token, [.cacheControl: "no-cache"]), body: queryBody())
            }
            #expect(stale.status == .ok)
            #expect(try stale.decode(Answer.self).stale)
            let none = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("Never asked"))
            #expect(none.status == .serviceUnavailable)
            #expect(none.errorCode == "timeout")
        }
    }

    @Test func newIndexVersionMakesOlderEntriesStaleNotWrong() async throws {
        let inference = ScriptedInference(indexVersion: 1)
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let v1 = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()).decode(Answer.self)
            #expect(v1.indexVersion == 1)
            inference.currentStatus.indexVersion = 2
            test.clock.advance(seconds: 2) // status cache period
            let r2 = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(r2.headers[.xCache] == "miss") // the v1 entry is not a hit at v2
            let v2 = try r2.decode(Answer.self)
            #expect(v2.indexVersion == 2 && !v2.stale)
            #expect(inference.calls == 2)

            // Inference fails at v3: the newest answer of the lineage (v2) is served stale.
            inference.currentStatus.indexVersion = 3
            test.clock.advance(seconds: 2)
            inference.mode = .fail(BedsideError(.upstream, "boom"))
            let r3 = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            let stale = try r3.decode(Answer.self)
            #expect(stale.stale && stale.answerID == v2.answerID && stale.indexVersion == 2)
        }
    }

    @Test func statusIsAskedAtMostOncePerPeriod() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            for _ in 0..<10 { _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()) }
            #expect(inference.statusCalls == 1)
            test.clock.advance(seconds: 1.5)
            for _ in 0..<5 { _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()) }
            #expect(inference.statusCalls == 2)
        }
    }

    @Test func statusOutageStillServesStaleWithTheLastKnownStatus() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            inference.mode = .statusDown
            test.clock.advance(seconds: 2)
            // Status fails, the last known one is used; the answer itself still works.
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(r.headers[.xCache] == "hit")
            inference.mode = .fail(BedsideError(.inferenceUnavailable, "down"))
            test.clock.advance(seconds: test.gateway.configuration.cacheTTL + 2)
            let s = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(s.headers[.xCache] == "stale")
        }
    }

    @Test func noStatusEverAndFailingInferenceIs503() async throws {
        let test = try await TestGateway.make(inference: FailingInference())
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            #expect(r.status == .serviceUnavailable)
            #expect(r.errorCode == "inference_unavailable")
        }
    }

    /// Offline replay: a gateway started while inference is unreachable (it never learnt the
    /// model or index version) still serves what this database answered before, as stale.
    @Test func aGatewayThatNeverReachedInferenceReplaysEarlierAnswers() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token()
        let original = try await test.app.test(.router) { client in
            try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()).decode(Answer.self)
        }
        let offline = try await Gateway(
            configuration: test.gateway.configuration, database: test.database, inference: FailingInference(),
            logger: GatewayLogging.makeLogger(configuration: test.gateway.configuration, sink: test.logs.sink),
            clock: test.clock.gatewayClock)
        let offlineToken = try await offline.issuer.mint(subject: "dr.ada", ttl: 3600)
        try await offline.makeApplication().test(.router) { client in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(offlineToken), body: queryBody())
            #expect(r.status == .ok)
            #expect(r.headers[.xCache] == "stale")
            let answer = try r.decode(Answer.self)
            #expect(answer.stale && answer.answerID == original.answerID && answer.answer == original.answer)
            let never = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(offlineToken), body: queryBody("Never asked before"))
            #expect(never.status == .serviceUnavailable)
        }
    }
}
