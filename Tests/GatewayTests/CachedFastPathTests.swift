import Core
import Foundation
import SQLiteStore
import SharedState
import Synchronization
import Testing

@testable import LocalGateway

/// Issue 11: a plain cache hit of `POST /v1/query` answered on the event loop
/// (`CachedQueryHandler`, `CachedQueryFastPath`) is indistinguishable from the router's
/// answer to it (status, headers, body, audit row, metrics, log line), and everything the
/// fast path declines still reaches the router and is answered as before. Since issue 22 both build
/// a hit's body and audit row with `CacheHit`; what the fast path still does on its own
/// (framing, `Date`, `Content-Length`, the trace, the audit row's sources computed ahead, the
/// order of pipelined answers, handing a request over) is what these tests hold it to.
///
/// Every test runs a real loopback server (the fast path exists only in the NIO pipeline),
/// most of them two: one with the fast path, one without, over separate databases with the
/// same inference and manual clocks at the same time, so that what each sends can be
/// compared byte for byte.
@Suite("CachedFastPath")
struct CachedFastPathTests {
    static let question = JSONText.query("What is the first-line treatment for sepsis?")
    static let answered = #"bedside_cached_fast_path_total{outcome="answered"}"#
    static let handedToRouter = #"bedside_cached_fast_path_total{outcome="handed_to_router"}"#
    static let queries200 = #"bedside_http_requests_total{route="/v1/query",method="POST",status="200"}"#
    static let cacheHits = #"bedside_cache_lookups_total{result="hit"}"#

    // MARK: 1. Equivalence

    @Test func hitsAreAnsweredByTheFastPathExactlyAsTheRouterAnswersThem() async throws {
        let hitCount = 4
        try await ServerPair.with { pair in
            let runs = try await pair.both.asyncMap { try await Self.missThenHits($0, hits: hitCount, tag: "eq") }
            let (fast, slow) = (runs[0], runs[1])
            for run in runs {
                #expect(run.miss.status == 200 && run.miss.header("x-bedside-cache") == "miss", "\(run.miss.status) \(run.miss.text)")
            }
            let expectedNames = [
                "cache-control", "content-length", "content-type", "date", "ratelimit", "ratelimit-policy", "x-bedside-cache", "x-request-id",
            ]
            for (i, (f, s)) in zip(fast.hits, slow.hits).enumerated() {
                #expect(f.status == 200 && s.status == 200, "hit \(i): \(f.status) \(s.status)")
                #expect(f.header("x-bedside-cache") == "hit")
                #expect(f.header("x-request-id") == "eq-hit-\(i)" && s.header("x-request-id") == "eq-hit-\(i)")
                #expect(f.header("content-type") == "application/json; charset=utf-8")
                #expect(f.header("cache-control") == "no-store")
                #expect(f.fields.map(\.name).sorted() == expectedNames, "fields sent: \(f.fields.map(\.name))")
                for response in [f, s] {
                    let date = try #require(response.header("date"))
                    #expect(isIMFFixdate(date), "Date: \(date)")
                }
                #expect(f.comparableFields == s.comparableFields, "hit \(i)\nfast:   \(f.comparableFields)\nrouter: \(s.comparableFields)")
                // Each server's asker sees their own record: the id their miss was given.
                #expect(f.answerID == fast.ownID && s.answerID == slow.ownID)
                #expect(comparableBody(f) == comparableBody(s), "hit \(i) bodies differ:\n\(f.text)\n\(s.text)")
                // Byte for byte, once what differs across databases (the record's id and the
                // time it was saved, on each server by its miss) is set aside.
                #expect(masked(f.text) == masked(s.text), "hit \(i) bodies differ:\n\(f.text)\n\(s.text)")
            }
            let metrics = try await pair.both.asyncMap { try await $0.metrics() }
            #expect(metrics[0][Self.answered] == Double(hitCount), "fast path: \(metrics[0][Self.answered] ?? 0)")
            #expect((metrics[1][Self.answered] ?? 0) == 0)
            #expect(metrics[0][Self.handedToRouter] == nil)
            #expect(metrics[0][Self.queries200] == Double(hitCount + 1) && metrics[1][Self.queries200] == Double(hitCount + 1))
            #expect(metrics[0][Self.cacheHits] == Double(hitCount) && metrics[1][Self.cacheHits] == Double(hitCount))
            // Every other count (requests by route and status, cache lookups, inference, auth) too.
            let counts = metrics.map { $0.filter { Self.comparableMetric($0.key) } }
            #expect(counts[0] == counts[1], "metrics differ:\n\(counts[0].sorted { $0.key < $1.key })\n\(counts[1].sorted { $0.key < $1.key })")
            // The request log line of each hit is the router's.
            let lines = pair.both.map {
                $0.requestLogLines().filter { $0["cache"] == "hit" }.sorted { $0["request_id"] ?? "" < $1["request_id"] ?? "" }
            }
            #expect(lines[0].count == hitCount)
            #expect(lines[0] == lines[1], "log lines differ:\n\(lines[0])\n\(lines[1])")
        }
    }

    // MARK: 2. Audit rows

    /// Both paths build a hit's row with `CacheHit`, but only the fast path commits it with the
    /// sources JSON the hot cache computed ahead (`ResponseCache.Hot.auditSources`).
    @Test func everyFastHitHasTheRoutersAuditRow() async throws {
        let hitCount = 5
        try await ServerPair.with { pair in
            let runs = try await pair.both.asyncMap { try await Self.missThenHits($0, hits: hitCount, tag: "audit") }
            let rows = try await pair.both.asyncMap { try await $0.database.auditRecords(AuditQuery()) }
            #expect(try await pair.fast.metrics()[Self.answered] == Double(hitCount))
            #expect(rows[0].count == hitCount + 1 && rows[1].count == hitCount + 1, "rows: \(rows[0].count) \(rows[1].count)")
            guard rows[0].count == rows[1].count else { return }
            for (i, row) in rows[0].enumerated().dropFirst() {
                #expect(row.cached && !row.stale && !row.refused, "row \(i)")
                #expect(row.subject == "dr.ada" && row.requestID == "audit-hit-\(i - 1)" && row.outcome == "answered")
                #expect(row.answerID == runs[0].ownID)
                #expect(!row.sources.isEmpty)
            }
            #expect(!rows[0][0].cached && rows[0][0].requestID == "audit-miss")
            let fastRows = rows[0].map { normalized($0, ownID: runs[0].ownID) }
            let slowRows = rows[1].map { normalized($0, ownID: runs[1].ownID) }
            #expect(fastRows == slowRows, "audit rows differ:\n\(fastRows)\n\(slowRows)")
            for server in pair.both { #expect(try await server.database.verifyAuditChain() == hitCount + 1) }
        }
    }

    // MARK: 3. A second subject

    @Test func anotherSubjectGetsTheirOwnRecordFromTheRouterThenFromTheFastPath() async throws {
        try await ServerPair.with { pair in
            var bobIDs: [String] = []
            for server in pair.both {
                let ada = try await Self.missThenHits(server, hits: 1, tag: "ada")
                let bob = try await server.test.token("bob")
                let first = try await server.exchange(queryRequest(token: bob, body: Self.question, headers: ["X-Request-ID: bob-0"]))
                let before = try await server.metrics()[Self.answered] ?? 0
                var later: [WireResponse] = []
                for i in 1...3 {
                    later.append(try await server.exchange(queryRequest(token: bob, body: Self.question, headers: ["X-Request-ID: bob-\(i)"])))
                }
                let after = try await server.metrics()[Self.answered] ?? 0
                let bobID = try #require(first.answerID)
                bobIDs.append(bobID)
                #expect(first.status == 200 && first.header("x-bedside-cache") == "hit")
                #expect(bobID != ada.ownID)
                for r in [first] + later {
                    #expect(r.status == 200 && r.answerID == bobID)
                    #expect(!r.text.contains(ada.ownID), "bob was shown ada's record id")
                }
                if server === pair.fast {
                    // The first went to the router (the fast path did not know bob's copy); the later ones did not.
                    #expect(before == 1 && after == 4, "fast-path answers: \(before) then \(after)")
                } else {
                    #expect(before == 0 && after == 0)
                }
                let rows = try await server.database.auditRecords(AuditQuery(subject: "bob"))
                #expect(rows.count == 4 && rows.allSatisfy { $0.answerID == bobID && $0.cached }, "bob's rows: \(rows)")
                let own = try await server.exchange(getRequest("/v1/answers/\(bobID)", token: bob))
                let adas = try await server.exchange(getRequest("/v1/answers/\(ada.ownID)", token: bob))
                #expect(own.status == 200 && adas.status == 404, "\(own.status) \(adas.status)")
            }
        }
    }

    // MARK: 4. Declined requests go to the router

    @Test func anEventStreamIsDeclinedAndStreamedByTheRouter() async throws {
        try await Self.compareDeclined(["Accept: text/event-stream"]) { fast, slow in
            #expect(fast.status == 200 && fast.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(fast.header("x-bedside-cache") == "hit")
            #expect(fast.text.contains("event: done"), "\(fast.text)")
            #expect(slow.status == 200)
        }
    }

    @Test func noCacheIsDeclinedAndBypassesTheCache() async throws {
        try await Self.compareDeclined(["Cache-Control: no-cache"]) { fast, _ in
            #expect(fast.status == 200 && fast.header("x-bedside-cache") == "bypass", "\(fast.status) \(fast.comparableFields)")
        }
    }

    @Test func connectionCloseIsDeclinedAndTheConnectionCloses() async throws {
        try await ServerPair.with { pair in
            var responses: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "cc")
                let port = server.port
                let request = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: cc-close", "Connection: close"])
                let (response, closed) = try await WireConnection.run { () -> (WireResponse, Bool) in
                    let connection = try WireConnection(port: port)
                    try connection.send(request)
                    let response = try connection.read()
                    return (response, connection.closed(within: 3))
                }
                #expect(response.status == 200 && response.header("x-bedside-cache") == "hit")
                // The router answers and Hummingbird closes; the edge says so in the response (RFC 9112, 9.6).
                #expect(response.header("connection") == "close")
                #expect(closed, "the connection stayed open")
                responses.append(response)
            }
            #expect(try await pair.fast.metrics()[Self.answered] == 1)
            #expect(
                responses[0].comparableFields == responses[1].comparableFields, "\(responses[0].comparableFields)\n\(responses[1].comparableFields)")
        }
    }

    @Test func aBodyThatFailsValidationIsTheRouters400() async throws {
        try await Self.compareDeclined([], body: #"{"question": "   "}"#) { fast, _ in
            #expect(fast.status == 400 && fast.errorCode == "bad_request", "\(fast.status) \(fast.text)")
        }
    }

    @Test func aTokenRevokedAfterItWasCachedIsRefused() async throws {
        try await ServerPair.with { pair in
            var responses: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "rv")
                // Revoked from another connection, as `bedside token revoke` does.
                let cli = try BedsideDatabase(path: server.database.path)
                try await cli.revokeSubject("dr.ada", at: server.clock.now)
                try cli.close()
                // The revocation list is re-read at most every 0.5 s (of the gateway's clock):
                // past that, no request may be answered with the revoked token.
                server.clock.advance(seconds: 0.6)
                let refused = try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: rv-after"]))
                #expect(refused.status == 401 && refused.errorCode == "unauthorized", "\(refused.status) \(refused.text)")
                let again = try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: rv-again"]))
                #expect(again.status == 401)
                responses.append(refused)
            }
            #expect(try await pair.fast.metrics()[Self.answered] == 1)
            #expect(
                responses[0].comparableFields == responses[1].comparableFields, "\(responses[0].comparableFields)\n\(responses[1].comparableFields)")
            #expect(responses[0].text == responses[1].text)
            for server in pair.both { #expect(try await server.database.auditRecords(AuditQuery()).count == 2) }
        }
    }

    @Test func anExhaustedBucketIsTheRouters429() async throws {
        try await ServerPair.with(configure: Self.threeTokens) { pair in
            var runs: [MissAndHits] = []
            var limited: [WireResponse] = []
            for server in pair.both {
                let run = try await Self.missThenHits(server, hits: 2, tag: "rl")
                let over = try await server.exchange(queryRequest(token: run.token, body: Self.question, headers: ["X-Request-ID: rl-over"]))
                #expect(over.status == 429 && over.errorCode == "rate_limited", "\(over.status) \(over.text)")
                #expect(over.header("ratelimit") != nil && over.header("ratelimit-policy") != nil && over.header("retry-after") != nil)
                runs.append(run)
                limited.append(over)
            }
            #expect(try await pair.fast.metrics()[Self.answered] == 2)
            for (f, s) in zip(runs[0].hits, runs[1].hits) { #expect(f.comparableFields == s.comparableFields) }
            #expect(limited[0].comparableFields == limited[1].comparableFields, "\(limited[0].comparableFields)\n\(limited[1].comparableFields)")
            #expect(limited[0].text == limited[1].text)
        }
    }

    // MARK: 5. Pipelining

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await ServerPair.with { pair in
            var mixed: [[WireResponse]] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 0, tag: "pl")
                let before = try await server.metrics()[Self.answered] ?? 0
                var hit: [String: String] = [:]
                for id in ["p1", "p3", "q1", "q2", "p4", "p6"] {
                    hit[id] = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: \(id)"])
                }
                let sse = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: p2", "Accept: text/event-stream"])
                let noCache = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: p5", "Cache-Control: no-cache"])
                let port = server.port
                let requests = hit
                let (three, two, again) = try await WireConnection.run { () -> ([WireResponse], [WireResponse], [WireResponse]) in
                    let connection = try WireConnection(port: port)
                    try connection.send(requests["p1", default: ""] + sse + requests["p3", default: ""])
                    let three = try (0..<3).map { _ in try connection.read() }
                    try connection.send(requests["q1", default: ""] + requests["q2", default: ""])
                    let two = try (0..<2).map { _ in try connection.read() }
                    try connection.send(requests["p4", default: ""] + noCache + requests["p6", default: ""])
                    let again = try (0..<3).map { _ in try connection.read() }
                    return (three, two, again)
                }
                #expect(three.map { $0.header("x-request-id") } == ["p1", "p2", "p3"])
                #expect(three.map(\.status) == [200, 200, 200])
                #expect(three[1].header("content-type")?.hasPrefix("text/event-stream") == true && three[1].text.contains("event: done"))
                #expect(three[0].answerID == primed.ownID && three[2].answerID == primed.ownID)
                #expect(two.map { $0.header("x-request-id") } == ["q1", "q2"])
                #expect(two.allSatisfy { $0.status == 200 && $0.answerID == primed.ownID })
                #expect(again.map { $0.header("x-request-id") } == ["p4", "p5", "p6"])
                #expect(again.map { $0.header("x-bedside-cache") } == ["hit", "bypass", "hit"])
                let after = try await server.metrics()[Self.answered] ?? 0
                if server === pair.fast {
                    // p1, q1, q2 and p4 cannot be anything but the fast path's (nothing outstanding before them).
                    #expect(after - before >= 4, "fast-path answers: \(after - before)")
                } else {
                    #expect(after == 0)
                }
                mixed.append(three + two + again)
            }
            for (f, s) in zip(mixed[0], mixed[1]) {
                #expect(f.status == s.status && f.comparableFields == s.comparableFields, "\(f.comparableFields)\n\(s.comparableFields)")
            }
        }
    }

    /// Fifty hits written at once on one connection (they span several reads, and each
    /// waits for its row while the next are held): all answered, in order, by the fast path.
    @Test func fiftyPipelinedHitsAreAnsweredInOrder() async throws {
        let server = try await LiveGateway.start(inference: ScriptedInference())
        do {
            let primed = try await Self.missThenHits(server, hits: 0, tag: "p50")
            let requests = (0..<50).map { queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: p50-\($0)"]) }.joined()
            let port = server.port
            let responses = try await WireConnection.run {
                let connection = try WireConnection(port: port)
                try connection.send(requests)
                return try (0..<50).map { _ in try connection.read() }
            }
            #expect(responses.map { $0.header("x-request-id") ?? "" } == (0..<50).map { "p50-\($0)" })
            #expect(responses.allSatisfy { $0.status == 200 && $0.answerID == primed.ownID })
            #expect(try await server.metrics()[Self.answered] == 50)
            #expect(try await server.database.auditRecords(AuditQuery()).map(\.requestID) == ["p50-miss"] + (0..<50).map { "p50-\($0)" })
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A fast-eligible request whose body ends early (the client closes before the declared
    /// length) is answered as the router answers it.
    @Test func aTruncatedBodyIsAnsweredAsTheRouterAnswersIt() async throws {
        try await ServerPair.with { pair in
            var responses: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "tb")
                let full = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: tb-short"])
                let truncated = String(full.dropLast(10))
                let port = server.port
                responses.append(
                    try await WireConnection.run {
                        let connection = try WireConnection(port: port)
                        try connection.send(truncated)
                        connection.shutdownWrite()
                        return try connection.read(timeout: 5)
                    })
            }
            #expect(responses[1].status == 400, "router: \(responses[1].status) \(responses[1].text)")
            #expect(responses[0].status == responses[1].status, "fast: \(responses[0].status) \(responses[0].text)")
            #expect(
                responses[0].comparableFields == responses[1].comparableFields, "\(responses[0].comparableFields)\n\(responses[1].comparableFields)")
            #expect(responses[0].text == responses[1].text)
            #expect(try await pair.fast.metrics()[Self.answered] == 1)
        }
    }

    // MARK: 6. Audit failure

    @Test func aHitWhoseAuditRowCannotBeWrittenIsTheRoutersError() async throws {
        try await ServerPair.with(busyTimeout: 0.1) { pair in
            var failed: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "af")
                let rowsBefore = try await server.database.auditRecords(AuditQuery()).count
                let response = try await Self.whileLocked(server) {
                    try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: af-locked"]))
                }
                #expect(response.status == 503, "\(response.status) \(response.text)")
                #expect(response.errorCode?.hasPrefix("database_") == true, "\(response.text)")
                #expect(!response.text.contains("antibiotics") && !response.text.contains(server.test.folder))
                #expect(try await server.database.auditRecords(AuditQuery()).count == rowsBefore, "a row was written for the failed request")
                failed.append(response)
                let metrics = try await server.metrics()
                if server === pair.fast {
                    #expect(metrics[Self.handedToRouter] == 1 && metrics[Self.answered] == 1)
                } else {
                    #expect(metrics[Self.handedToRouter] == nil)
                }
                // Once the lock is gone, hits are answered again (by the fast path on the fast server).
                let after = try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: af-after"]))
                #expect(after.status == 200 && after.answerID == primed.ownID)
                #expect(try await server.database.auditRecords(AuditQuery()).count == rowsBefore + 1)
                if server === pair.fast { #expect(try await server.metrics()[Self.answered] == 2) }
                #expect(try await server.database.verifyAuditChain() == rowsBefore + 1)
            }
            #expect(
                failed[0].comparableFields == failed[1].comparableFields,
                "fast:   \(failed[0].comparableFields)\nrouter: \(failed[1].comparableFields)")
            #expect(failed[0].text == failed[1].text, "fast:   \(failed[0].text)\nrouter: \(failed[1].text)")
        }
    }

    /// The same with the asker's last token: the router-only server spends it on the request
    /// and answers 503 (the row could not be written); the fast path must not have spent one
    /// of its own before handing the request over.
    @Test func aHitHandedToTheRouterSpendsOneTokenNotTwo() async throws {
        try await ServerPair.with(busyTimeout: 0.1, configure: Self.threeTokens) { pair in
            var failed: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "ot") // two of three tokens spent
                failed.append(
                    try await Self.whileLocked(server) {
                        try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: ot-locked"]))
                    })
            }
            #expect(failed[1].status == 503 && failed[1].errorCode == "database_locked", "router: \(failed[1].status) \(failed[1].text)")
            #expect(
                failed[0].status == failed[1].status, "fast: \(failed[0].status) \(failed[0].text)\nrouter: \(failed[1].status) \(failed[1].text)")
            #expect(
                failed[0].comparableFields == failed[1].comparableFields,
                "fast:   \(failed[0].comparableFields)\nrouter: \(failed[1].comparableFields)")
            #expect(try await pair.fast.metrics()[Self.handedToRouter] == 1)
        }
    }

    // MARK: 6b. The connection's life

    /// A client may send its request and then shut its side (`shutdown(SHUT_WR)`, as
    /// `printf … | nc -N` does); the router still answers the request it read whole. The
    /// audit row is held back (the database's write lock is taken) so that the end of the
    /// input surely arrives while the hit waits for its row.
    @Test func aClientThatHalfClosesAfterItsRequestGetsItsAnswer() async throws {
        try await ServerPair.with { pair in
            var responses: [Result<WireResponse, TestError>] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "hc")
                let request = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: hc-half"])
                let port = server.port
                let lock = try await WriteLock.hold(path: server.database.path)
                let finished = Flag()
                let reader = Task {
                    defer { finished.set() }
                    return try await WireConnection.run {
                        let connection = try WireConnection(port: port)
                        try connection.send(request)
                        connection.shutdownWrite()
                        return try connection.read(timeout: 15)
                    }
                }
                // A server that drops the request closes at once; one that answers it waits for the lock.
                try? await Poll.until("the reader to finish", timeout: .seconds(1)) { finished.isSet }
                await lock.release()
                do { responses.append(.success(try await reader.value)) } catch { responses.append(.failure(TestError("\(error)"))) }
            }
            let router = try responses[1].get()
            #expect(router.status == 200 && router.header("x-bedside-cache") == "hit")
            switch responses[0] {
            case .success(let fast):
                #expect(fast.comparableFields == router.comparableFields)
            case .failure(let error):
                Issue.record("the fast-path server sent nothing to a client that half-closed after its request: \(error)")
            }
        }
    }

    /// A hit waiting for its audit row when a graceful shutdown starts is answered before
    /// its connection closes, as the router's in-flight requests are.
    @Test func aHitInFlightWhenTheServerShutsDownIsStillAnswered() async throws {
        try await ServerPair.with { pair in
            var outcomes: [Result<WireResponse, TestError>] = []
            var ownIDs: [String] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "sd")
                ownIDs.append(primed.ownID)
                let request = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: sd-flight"])
                let port = server.port
                let lock = try await WriteLock.hold(path: server.database.path)
                let finished = Flag()
                let reader = Task {
                    defer { finished.set() }
                    return try await WireConnection.run {
                        let connection = try WireConnection(port: port)
                        try connection.send(request)
                        return try connection.read(timeout: 15)
                    }
                }
                // The request is in flight once its rate-limit token is spent (each probe spends one too).
                let limiter = server.test.gateway.rateLimiter
                var probes = 0
                try await Poll.until("the request to take its token", timeout: .seconds(10), every: .milliseconds(5)) {
                    probes += 1
                    return limiter.takeLocal(subject: "dr.ada").remaining <= 10_000 - 2 - probes - 1
                }
                let stopping = Task { await server.shutdown() }
                // The fast server closes the connection as soon as the shutdown reaches it; the
                // router's waits for its answer, which waits for the lock: give it a second.
                try? await Poll.until("the reader to finish", timeout: .seconds(1)) { finished.isSet }
                await lock.release()
                do { outcomes.append(.success(try await reader.value)) } catch { outcomes.append(.failure(TestError("\(error)"))) }
                await stopping.value
                // Its row is written either way (once the lock is gone).
                let database = server.database
                try await Poll.until("the row of the request in flight", timeout: .seconds(10)) {
                    try await database.auditRecords(AuditQuery()).contains { $0.requestID == "sd-flight" && $0.outcome == "answered" }
                }
            }
            let router = try outcomes[1].get()
            #expect(router.status == 200 && router.answerID == ownIDs[1])
            switch outcomes[0] {
            case .success(let fast):
                // (The probes spent tokens, a different number on each server: `RateLimit` is set aside.)
                let fields = { (r: WireResponse) in r.comparableFields.filter { !$0.hasPrefix("ratelimit:") } }
                #expect(fast.status == 200 && fields(fast) == fields(router), "\(fields(fast))\n\(fields(router))")
                #expect(fast.answerID == ownIDs[0])
            case .failure(let error):
                Issue.record("the fast-path server closed the connection of a hit in flight at shutdown (its audit row says answered): \(error)")
            }
        }
    }

    // MARK: 8. More of the same answer

    /// With `log_questions` on, the fast path's log line carries the question as the router's does.
    @Test func theLogLineCarriesTheQuestionWhenQuestionsAreLogged() async throws {
        try await ServerPair.with(configure: Self.logQuestions) { pair in
            for server in pair.both { _ = try await Self.missThenHits(server, hits: 2, tag: "lq") }
            #expect(try await pair.fast.metrics()[Self.answered] == 2)
            let lines = pair.both.map {
                $0.requestLogLines().filter { $0["cache"] == "hit" }.sorted { $0["request_id"] ?? "" < $1["request_id"] ?? "" }
            }
            #expect(lines[0].count == 2 && lines[0].allSatisfy { $0["question"] == "What is the first-line treatment for sepsis?" })
            #expect(lines[0] == lines[1], "log lines differ:\n\(lines[0])\n\(lines[1])")
        }
    }

    /// Without a usable `X-Request-ID` a hit gets a generated one: the same in the response,
    /// its audit row and its log line, and of the router's form.
    @Test func aHitWithoutAUsableRequestIDGetsAGeneratedOne() async throws {
        let server = try await LiveGateway.start(inference: ScriptedInference())
        do {
            let primed = try await Self.missThenHits(server, hits: 0, tag: "gid")
            let plain = try await server.exchange(queryRequest(token: primed.token, body: Self.question))
            let unusable = try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: not/usable"]))
            #expect(try await server.metrics()[Self.answered] == 2)
            let rows = try await server.database.auditRecords(AuditQuery())
            let logged = server.requestLogLines().compactMap { $0["request_id"] }
            for (response, row) in zip([plain, unusable], rows.suffix(2)) {
                let id = try #require(response.header("x-request-id"))
                #expect(id.count == 16 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "X-Request-ID: \(id)")
                #expect(row.requestID == id && logged.contains(id))
            }
            #expect(plain.header("x-request-id") != unusable.header("x-request-id"))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A cached token past its expiry is refused (by the router) as it is without the fast path.
    @Test func aCachedTokenPastItsExpiryIsRefused() async throws {
        try await ServerPair.with { pair in
            var refused: [WireResponse] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "ex")
                server.clock.advance(seconds: 8 * 86_400)
                refused.append(try await server.exchange(queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: ex-late"])))
            }
            #expect(refused[0].status == 401, "\(refused[0].status) \(refused[0].text)")
            #expect(try await pair.fast.metrics()[Self.answered] == 1)
            #expect(refused[0].comparableFields == refused[1].comparableFields, "\(refused[0].comparableFields)\n\(refused[1].comparableFields)")
            #expect(refused[0].text == refused[1].text)
        }
    }

    /// Hits on several connections at once share group commits: every one answered, every
    /// row written, one unbroken chain.
    @Test func concurrentHitsOnManyConnectionsAreAllOnTheRecord() async throws {
        let server = try await LiveGateway.start(inference: ScriptedInference())
        do {
            let primed = try await Self.missThenHits(server, hits: 0, tag: "cc")
            let (port, token, question, ownID) = (server.port, primed.token, Self.question, primed.ownID)
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for c in 0..<8 {
                    group.addTask {
                        try await WireConnection.run {
                            let connection = try WireConnection(port: port)
                            var ok = 0
                            for i in 0..<25 {
                                try connection.send(queryRequest(token: token, body: question, headers: ["X-Request-ID: c\(c)-\(i)"]))
                                let r = try connection.read()
                                if r.status == 200, r.answerID == ownID, r.header("x-request-id") == "c\(c)-\(i)" { ok += 1 }
                            }
                            return ok
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(answered == 200)
            #expect(try await server.metrics()[Self.answered] == 200)
            let rows = try await server.database.auditRecords(AuditQuery())
            #expect(rows.count == 201 && Set(rows.compactMap(\.requestID)).count == 201)
            #expect(try await server.database.verifyAuditChain() == 201)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A hit whose body is still arriving when a graceful shutdown starts is answered once
    /// the body is complete, as the router answers a request it is reading.
    @Test func aHitWhoseBodyIsArrivingAtShutdownIsAnswered() async throws {
        guard FileManager.default.fileExists(atPath: "/proc/net/tcp") else { return } // Linux only: how the test knows the head was read
        try await ServerPair.with { pair in
            var outcomes: [Result<WireResponse, TestError>] = []
            for server in pair.both {
                let primed = try await Self.missThenHits(server, hits: 1, tag: "sb")
                let request = queryRequest(token: primed.token, body: Self.question, headers: ["X-Request-ID: sb-body"])
                let (first, rest) = (String(request.dropLast(20)), String(request.suffix(20)))
                let port = server.port
                let connection = try await WireConnection.run {
                    let connection = try WireConnection(port: port)
                    try connection.send(first)
                    return connection
                }
                try await Poll.until("the server to read the head and part of the body", timeout: .seconds(10), every: .milliseconds(5)) {
                    connection.unreadByServer(serverPort: port) == 0
                }
                let stopping = Task { await server.shutdown() }
                // A server that drops the request closes at once; give it a second to do so.
                let closedEarly = try await WireConnection.run { connection.closed(within: 1) }
                do {
                    let response = try await WireConnection.run {
                        if !closedEarly { try connection.send(rest) }
                        return try connection.read(timeout: 10)
                    }
                    outcomes.append(.success(response))
                } catch {
                    outcomes.append(.failure(TestError("closed early: \(closedEarly); \(error)")))
                }
                await stopping.value
            }
            let router = try outcomes[1].get()
            #expect(router.status == 200 && router.answerID != nil)
            switch outcomes[0] {
            case .success(let fast):
                #expect(fast.comparableFields == router.comparableFields, "\(fast.comparableFields)\n\(router.comparableFields)")
            case .failure(let error):
                Issue.record("the fast-path server closed the connection of a hit whose body was arriving at shutdown: \(error)")
            }
        }
    }

    // MARK: 7. Keep-alive

    @Test func twoHundredHitsOnOneConnectionWithARouterRequestBetween() async throws {
        let server = try await LiveGateway.start(inference: ScriptedInference())
        do {
            let primed = try await Self.missThenHits(server, hits: 0, tag: "ka")
            let port = server.port
            let question = Self.question
            let token = primed.token
            let ownID = primed.ownID
            let responses = try await WireConnection.run { () -> [WireResponse] in
                let connection = try WireConnection(port: port)
                var responses: [WireResponse] = []
                for i in 0..<200 {
                    try connection.send(queryRequest(token: token, body: question, headers: ["X-Request-ID: ka-\(i)"]))
                    responses.append(try connection.read())
                    if i == 99 {
                        try connection.send(getRequest("/v1/answers/\(ownID)", token: token, headers: ["X-Request-ID: ka-get"]))
                        responses.append(try connection.read())
                    }
                }
                return responses
            }
            let expectedIDs = (0..<100).map { "ka-\($0)" } + ["ka-get"] + (100..<200).map { "ka-\($0)" }
            #expect(responses.map { $0.header("x-request-id") ?? "" } == expectedIDs)
            #expect(responses.allSatisfy { $0.status == 200 })
            var hits = responses
            hits.remove(at: 100)
            #expect(hits.allSatisfy { $0.answerID == ownID && $0.header("x-bedside-cache") == "hit" })
            #expect(responses[100].answerID == ownID && responses[100].header("x-bedside-cache") == nil)
            let metrics = try await server.metrics()
            #expect(metrics[Self.answered] == 200)
            #expect(metrics[Self.queries200] == 201)
            // The miss, the 200 hits and the read of the stored answer (a `replay` row), in order.
            let rows = try await server.database.auditRecords(AuditQuery())
            #expect(rows.map(\.requestID) == ["ka-miss"] + expectedIDs, "\(rows.count) rows")
            #expect(rows.filter { $0.outcome == "replay" }.map(\.requestID) == ["ka-get"])
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    // MARK: Helpers

    /// `body`'s result while the write lock of the server's database is held from another connection.
    static func whileLocked<T: Sendable>(_ server: LiveGateway, _ body: () async throws -> T) async throws -> T {
        let lock = try await WriteLock.hold(path: server.database.path)
        do {
            let result = try await body()
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }

    /// A metric that counts what both servers did alike: not durations (sums, buckets), not
    /// the fast path's own counter, not the `/metrics` requests themselves.
    static func comparableMetric(_ key: String) -> Bool {
        !key.contains("cached_fast_path") && !key.contains("_sum") && !key.contains("_bucket") && !key.contains("quantile")
            && !key.contains(#"route="/metrics""#)
    }

    @Sendable static func logQuestions(_ config: inout GatewayConfiguration) { config.logQuestions = true }

    /// A bucket of three tokens that does not refill within a test.
    @Sendable static func threeTokens(_ config: inout GatewayConfiguration) {
        config.rateLimitCapacity = 3
        config.rateLimitRefillPerSecond = 0.001
    }

    struct MissAndHits: Sendable {
        var token: String
        var miss: WireResponse
        var hits: [WireResponse]
        var ownID: String
    }

    /// A new question from dr.ada (a miss), then `hits` repeats of it, each on its own connection.
    static func missThenHits(_ server: LiveGateway, hits: Int, tag: String) async throws -> MissAndHits {
        let token = try await server.test.token("dr.ada")
        let miss = try await server.exchange(queryRequest(token: token, body: question, headers: ["X-Request-ID: \(tag)-miss"]))
        guard miss.status == 200, let ownID = miss.answerID else { throw TestError("the first request failed: \(miss.status) \(miss.text)") }
        var answers: [WireResponse] = []
        for i in 0..<hits {
            answers.append(try await server.exchange(queryRequest(token: token, body: question, headers: ["X-Request-ID: \(tag)-hit-\(i)"])))
        }
        return MissAndHits(token: token, miss: miss, hits: answers, ownID: ownID)
    }

    /// Primes both servers (a miss and a hit), sends each the same request that the fast
    /// path must decline, checks that it was not answered by the fast path, and that both
    /// answered alike (status, fields but `Date`, body with ids and latency set aside).
    static func compareDeclined(
        _ headers: [String], body: String = question, check: (WireResponse, WireResponse) throws -> Void
    ) async throws {
        try await ServerPair.with { pair in
            var responses: [WireResponse] = []
            for server in pair.both {
                let primed = try await missThenHits(server, hits: 1, tag: "dc")
                #expect(primed.hits.first?.status == 200)
                responses.append(
                    try await server.exchange(queryRequest(token: primed.token, body: body, headers: ["X-Request-ID: dc-declined"] + headers)))
            }
            let (fast, slow) = (responses[0], responses[1])
            #expect(try await pair.fast.metrics()[answered] == 1, "the fast path answered a request it should have declined")
            #expect(fast.status == slow.status)
            #expect(fast.header("x-request-id") == "dc-declined")
            #expect(fast.comparableFields == slow.comparableFields, "fast:   \(fast.comparableFields)\nrouter: \(slow.comparableFields)")
            #expect(comparableBody(fast) == comparableBody(slow), "fast:   \(fast.text)\nrouter: \(slow.text)")
            try check(fast, slow)
        }
    }
}

/// Two live gateways over separate databases and the same inference: `fast` with the
/// cached fast path, `slow` without.
struct ServerPair: Sendable {
    let fast: LiveGateway
    let slow: LiveGateway
    var both: [LiveGateway] { [fast, slow] }

    static func with(
        busyTimeout: TimeInterval = 5, configure: @escaping (inout GatewayConfiguration) -> Void = { _ in },
        _ body: (ServerPair) async throws -> Void
    ) async throws {
        let inference = ScriptedInference()
        let fast = try await LiveGateway.start(inference: inference, busyTimeout: busyTimeout) { config in
            configure(&config)
            config.cachedFastPath = true
        }
        let slow: LiveGateway
        do {
            slow = try await LiveGateway.start(inference: inference, busyTimeout: busyTimeout) { config in
                configure(&config)
                config.cachedFastPath = false
            }
        } catch {
            await fast.stop()
            throw error
        }
        let pair = ServerPair(fast: fast, slow: slow)
        do { try await body(pair) } catch {
            await pair.stop()
            throw error
        }
        await pair.stop()
    }

    func stop() async {
        await fast.stop()
        await slow.stop()
    }
}

/// The write lock of a SQLite file, held from another connection (as another process
/// would) on a thread of its own until `release()`, or until the `WriteLock` is dropped (a
/// test that throws before releasing it): the thread waits for that event, not for a time.
final class WriteLock: Sendable {
    private let release_ = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    deinit { release_.signal() }

    static func hold(path: String) async throws -> WriteLock {
        let lock = WriteLock()
        let (release, finished) = (lock.release_, lock.finished)
        let holder = try BedsideDatabase(path: path, busyTimeout: 2)
        try await withCheckedThrowingContinuation { (locked: CheckedContinuation<Void, any Error>) in
            Thread {
                var resumed = false
                do {
                    try holder.pool.writeWithoutTransaction { db in
                        try db.execute(sql: "BEGIN IMMEDIATE")
                        resumed = true
                        locked.resume()
                        release.wait()
                        try db.execute(sql: "ROLLBACK")
                    }
                } catch {
                    if !resumed { locked.resume(throwing: error) }
                }
                try? holder.close()
                finished.signal()
            }.start()
        }
        return lock
    }

    func release() async {
        release_.signal()
        let finished = finished
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                finished.wait()
                done.resume()
            }.start()
        }
    }
}

/// Set once, read from anywhere.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
func isIMFFixdate(_ text: String) -> Bool {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    guard let date = formatter.date(from: text) else { return false }
    return formatter.string(from: date) == text && abs(date.timeIntervalSinceNow) < 300
}

/// The body without what differs across databases and requests (`answer_id`, `created_at`,
/// `latency_ms`): the JSON object, or for an event stream each event's name and JSON data
/// (whose key order is not fixed), or else the text.
func comparableBody(_ response: WireResponse) -> [NSObject] {
    func cleaned(_ text: some StringProtocol) -> NSObject {
        guard var json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return String(text) as NSString }
        for key in ["answer_id", "created_at", "latency_ms"] { json[key] = nil }
        return json as NSDictionary
    }
    guard response.header("content-type")?.hasPrefix("text/event-stream") == true else { return [cleaned(response.text)] }
    return response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
        event.split(separator: "\n").map { line -> NSObject in
            line.hasPrefix("data: ") ? cleaned(line.dropFirst(6)) : String(line) as NSString
        } as NSArray
    }
}

/// A JSON body with answer ids, creation times and latencies replaced by placeholders.
func masked(_ text: String) -> String {
    text.replacing(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/, with: "ID")
        .replacing(/"latency_ms":[0-9.eE+-]+/, with: #""latency_ms":0"#)
        .replacing(/"created_at":"[^"]*"/, with: #""created_at":"T""#)
}

/// An audit row without what differs across databases: its id, hashes, and the asker's own answer id.
func normalized(_ row: AuditRecord, ownID: String) -> AuditRecord {
    var r = row
    r.id = nil
    r.prevHash = ""
    r.hash = ""
    if r.answerID == ownID { r.answerID = "own" }
    return r
}
