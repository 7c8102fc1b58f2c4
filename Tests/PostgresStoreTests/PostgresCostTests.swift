import Core
import Foundation
import SQLiteStore
import SharedState
import TestSupport
import Testing

@testable import PostgresStore

#if canImport(Glibc)
    import Glibc
#endif

/// What the cached request path costs on PostgreSQL, measured from Swift through postgres-nio.
/// Round trips by construction: a bucket take is one statement, a cache read one statement, an
/// audit append transaction four (BEGIN, lock the head row, one INSERT of the batch, COMMIT),
/// shared by the appends that arrive while the previous one runs. The figures are printed for
/// the record; the test checks what they rest on (grants, grouping, dense ids).
extension PostgresGatewayStateTests {
    @Test func cachedPathCostsMeasured() async throws {
        try await withStores(2) { stores in
            let (a, b) = (stores[0], stores[1])
            let clock = ContinuousClock()
            func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
            func summary(_ samples: [Duration]) -> String {
                let sorted = samples.map(ms).sorted()
                let p50 = sorted[sorted.count / 2]
                let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
                return String(format: "p50 %.3f ms, p99 %.3f ms (n=%d)", p50, p99, sorted.count)
            }
            let n = 300
            // Bucket takes, one subject per ten requests, capacity never reached.
            var takes: [Duration] = []
            for i in 0..<n {
                let t0 = clock.now
                let take = try await a.takeToken(subject: "s\(i % 30)", capacity: 1_000, refillPerSecond: 1)
                takes.append(clock.now - t0)
                #expect(take.allowed)
            }
            // Cache reads by key (what a gateway does when its in-process LRU misses).
            let now = Date()
            let entry = CacheEntry(
                key: "k", lineage: "L", answer: Answer(answerID: "x", question: "q", answer: "A [1].", createdAt: now), indexVersion: 1,
                model: "m", createdAt: now, expiresAt: now.addingTimeInterval(60))
            try await b.putCacheEntry(entry)
            var reads: [Duration] = []
            for _ in 0..<n {
                let t0 = clock.now
                let e = try await a.cacheEntry(key: "k")
                reads.append(clock.now - t0)
                #expect(e?.key == "k")
            }
            // Audit appends one at a time: one transaction each.
            func record(_ i: Int) -> AuditRecord {
                AuditRecord(subject: "s\(i % 30)", question: "q\(i)", answerID: "a\(i)", sources: ["d#1"], model: "m", indexVersion: 1, cached: true)
            }
            var appends: [Duration] = []
            for i in 0..<100 {
                let t0 = clock.now
                try await a.appendAudit(record(i))
                appends.append(clock.now - t0)
            }
            #expect(a.auditWriter.group.committed == (100, 100))
            // 400 concurrent appends, 200 through each instance: grouped into far fewer transactions.
            let t0 = clock.now
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<400 {
                    let store = i % 2 == 0 ? a : b
                    group.addTask { try await store.appendAudit(record(1_000 + i)) }
                }
                var out: [Int64] = []
                for try await id in group { out.append(id) }
                return out
            }
            let burst = clock.now - t0
            #expect(ids.sorted() == Array(101...500))
            let txA = a.auditWriter.group.committed.transactions - 100
            let txB = b.auditWriter.group.committed.transactions
            #expect(txA + txB < 400)
            #expect(try await b.verifyAuditChain() == 500)
            print(
                """
                [postgres cost] bucket take (1 round trip): \(summary(takes))
                [postgres cost] cache read by key (1 round trip): \(summary(reads))
                [postgres cost] audit append alone (1 transaction, 4 round trips): \(summary(appends))
                [postgres cost] 400 concurrent appends via 2 instances: \(String(format: "%.1f", ms(burst))) ms, \
                \(txA + txB) transactions (\(String(format: "%.1f", 400 / Double(max(1, txA + txB)))) rows each)
                """)
        }
    }
}

/// Deadlines: a statement stuck behind a lock, or a server that never answers, fails in bounded time.
extension PostgresGatewayStateTests {
    @Test func aStatementStuckBehindALockFailsAtTheDeadline() async throws {
        let url = try await PostgresTestCluster.running().freshDatabase()
        let store = try await PostgresGatewayState.connect(
            url: url, logger: PostgresTestCluster.logger, operationTimeout: .seconds(1), failFastWindow: .seconds(5))
        try await PostgresTestCluster.withSuperuser(url: url) { c in
            try await c.query("BEGIN", logger: PostgresTestCluster.logger)
            try await c.query("LOCK TABLE cache_entry IN ACCESS EXCLUSIVE MODE", logger: PostgresTestCluster.logger)
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await store.cacheEntry(key: "k")
                Issue.record("a read went through an exclusive lock")
            } catch let e as BedsideError {
                #expect(e.code.isDatabase)
                #expect(e.message.contains("did not answer within 1 s"))
            }
            #expect(clock.now - start < .seconds(10))
            // Right after, the next statement fails at once with the same error instead of
            // waiting out its own deadline (a request makes several calls).
            await #expect(throws: BedsideError.self) { _ = try await store.cacheEntry(key: "k") }
            #expect(store.failedFast.withLock { $0 } == 1)
            try await c.query("ROLLBACK", logger: PostgresTestCluster.logger)
        }
        // The lock gone, the store works again once the fail-fast window has passed.
        try await Poll.until("the store answers again", timeout: .seconds(20), every: .milliseconds(200)) {
            do { return try await store.cacheEntry(key: "k") == nil } catch { return false }
        }
        try await store.closeState()
    }

    @Test func aServerThatNeverAnswersFailsTheConnectInBoundedTime() async throws {
        // A listening socket nobody accepts from: the kernel completes the TCP handshake, nothing answers.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 8) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { p in p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await PostgresGatewayState.connect(
                url: "postgres://bedside@127.0.0.1:\(port)/bedside?sslmode=disable", operationTimeout: .seconds(1))
            Issue.record("connected to a server that never answers")
        } catch let e as BedsideError {
            #expect(e.code.isDatabase)
            #expect(e.message.contains("127.0.0.1:\(port)"))
        }
        #expect(clock.now - start < .seconds(30))
    }
}
