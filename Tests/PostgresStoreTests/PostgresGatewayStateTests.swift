import Core
import Foundation
import PostgresNIO
import SQLiteStore
import SharedState
import TestSupport
import Testing

@testable import PostgresStore

/// `PostgresGatewayState` against a real throwaway PostgreSQL cluster (scripts/pg-cluster.sh),
/// several instances on one database standing in for several gateways.
@Suite(
    .postgresCluster, .enabled(if: PostgresTestCluster.available, "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: skipped"))
struct PostgresGatewayStateTests {
    // MARK: Migrations

    @Test func migrationsAreIdempotentAndConcurrentStartsMigrateOnce() async throws {
        let url = try await PostgresTestCluster.running().freshDatabase()
        // Four gateways starting at once: one migrates, the others wait on the lock and find it done.
        let stores = try await withThrowingTaskGroup(of: PostgresGatewayState.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresGatewayState.connect(url: url, logger: PostgresTestCluster.logger) } }
            var out: [PostgresGatewayState] = []
            for try await s in group { out.append(s) }
            return out
        }
        for s in stores { #expect(try await s.appliedMigrations() == ["v1-gateway-state", "v2-unlogged-rate-buckets", "v3-audit-anchor"]) }
        for s in stores { try await s.closeState() }
        // A fifth start changes nothing.
        let again = try await PostgresGatewayState.connect(url: url, logger: PostgresTestCluster.logger)
        #expect(try await again.appliedMigrations() == ["v1-gateway-state", "v2-unlogged-rate-buckets", "v3-audit-anchor"])
        try await again.appendAudit(AuditRecord(subject: "ana", question: "q", answerID: nil, sources: [], model: "m", indexVersion: 1))
        #expect(try await again.verifyAuditChain() == 1)
        try await again.closeState()
    }

    /// `bedside doctor` connects with `migrate: false`: it reaches the server and a fresh
    /// database stays without a schema.
    @Test func aConnectWithoutMigratingLeavesTheDatabaseAlone() async throws {
        let url = try await PostgresTestCluster.running().freshDatabase()
        let store = try await PostgresGatewayState.connect(url: url, logger: PostgresTestCluster.logger, migrate: false)
        try await store.checkReachable()
        await #expect(throws: (any Error).self) { try await store.appliedMigrations() }
        try await store.closeState()
    }

    // MARK: Shared rate limits

    @Test func twoInstancesHammeringOneBucketGrantExactlyCapacity() async throws {
        try await withStores(2) { stores in
            let capacity = 10.0
            // A refill so slow that no token comes back during the burst.
            let results = try await withThrowingTaskGroup(of: SharedBucketTake.self) { group in
                for i in 0..<60 {
                    let store = stores[i % 2]
                    group.addTask { try await store.takeToken(subject: "ana", capacity: capacity, refillPerSecond: 0.000_001) }
                }
                var out: [SharedBucketTake] = []
                for try await r in group { out.append(r) }
                return out
            }
            #expect(results.filter(\.allowed).count == 10)
            #expect(results.filter { !$0.allowed }.count == 50)
            for r in results where !r.allowed { #expect(r.tokens < 1) }
            // Another subject has its own bucket.
            let other = try await stores[1].takeToken(subject: "ben", capacity: capacity, refillPerSecond: 0.000_001)
            #expect(other.allowed)
            #expect(abs(other.tokens - 9) < 0.001)
        }
    }

    @Test func bucketRefillsByTheDatabaseClock() async throws {
        try await withStores(2) { stores in
            for _ in 0..<2 { #expect(try await stores[0].takeToken(subject: "ana", capacity: 2, refillPerSecond: 0.01).allowed) }
            let refused = try await stores[1].takeToken(subject: "ana", capacity: 2, refillPerSecond: 0.01)
            #expect(!refused.allowed)
            // A thousand seconds pass on the database's clock (moved back on the row rather than waited for):
            // ten tokens at 0.01/s, where a slow machine between two takes adds almost nothing.
            try await PostgresTestCluster.withSuperuser(url: stores[0].stateDescription) { c in
                try await c.query(
                    "UPDATE rate_bucket SET updated_at = updated_at - 1000 WHERE subject = \("ana")", logger: PostgresTestCluster.logger)
            }
            // Refilled to capacity (never beyond), so two more and then a refusal.
            let first = try await stores[1].takeToken(subject: "ana", capacity: 2, refillPerSecond: 0.01)
            #expect(first.allowed)
            #expect(first.tokens >= 1 && first.tokens <= 1.01) // capped at capacity 2, minus this take
            #expect(try await stores[0].takeToken(subject: "ana", capacity: 2, refillPerSecond: 0.01).allowed)
            #expect(try await !stores[1].takeToken(subject: "ana", capacity: 2, refillPerSecond: 0.01).allowed)
            #expect(stores[0].sharedRateLimits != nil)
        }
    }

    // MARK: Audit

    @Test func concurrentAppendsFromTwoInstancesFormOneChainWithDenseIDs() async throws {
        try await withStores(2) { stores in
            let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<200 {
                    let store = stores[i % 2]
                    group.addTask {
                        try await store.appendAudit(
                            AuditRecord(
                                requestID: "r\(i)", subject: "s\(i % 7)", question: "question \(i)", answerID: i % 3 == 0 ? nil : "a\(i)",
                                sources: ["doc\(i)#\(i)"], model: "m", indexVersion: i % 4, cached: i % 2 == 0, outcome: "answered"))
                    }
                }
                var out: [Int64] = []
                for try await id in group { out.append(id) }
                return out
            }
            #expect(ids.sorted() == Array(1...200))
            #expect(try await stores[0].verifyAuditChain() == 200)
            #expect(try await stores[1].verifyAuditChain() == 200)
            // Every row as appended, each id once, in one chain whichever instance reads it.
            let all = try await stores[1].auditRecords(AuditQuery())
            #expect(all.map(\.id) == (1...200).map { Optional($0) })
            #expect(Set(all.map(\.requestID)).count == 200)
            for (previous, row) in zip(all, all.dropFirst()) { #expect(row.prevHash == previous.hash) }
        }
    }

    @Test func auditRowsRoundTripAndHashLikeSQLite() async throws {
        let folder = try TempDirectory()
        defer { folder.cleanup() }
        let sqlite = try BedsideDatabase(path: folder.file("b.sqlite"))
        defer { try? sqlite.close() }
        // An `at` with every bit of the Double in use: the hash covers its bit pattern.
        let at = Date(timeIntervalSince1970: 1_764_567_890.123_456_7)
        let records = [
            AuditRecord(
                at: at, requestID: "req-1", subject: "ana", question: "Dose of amoxicillin?", answerID: "a1", sources: ["d#2", "b#1"],
                model: "llm", indexVersion: 3, cached: true, stale: true, outcome: "answered", detail: "x"),
            AuditRecord(
                at: at.addingTimeInterval(0.000_1), subject: "ben", question: "nul\u{0}in it", answerID: nil, sources: [], model: "m",
                indexVersion: 0, refused: true, outcome: "refused", refID: 1),
        ]
        try await withStores { stores in
            let pg = stores[0]
            for r in records {
                let a = try await pg.appendAudit(r)
                let b = try await sqlite.appendAudit(r)
                #expect(a == b)
            }
            let fromPG = try await pg.auditRecords(AuditQuery())
            let fromSQLite = try await sqlite.auditRecords(AuditQuery())
            #expect(fromPG == fromSQLite)
            #expect(fromPG[0].at.timeIntervalSince1970.bitPattern == at.timeIntervalSince1970.bitPattern)
            #expect(fromPG[1].question == "nul\u{FFFD}in it")
            #expect(fromPG[1].requestID == nil && fromPG[1].answerID == nil && fromPG[1].refID == 1)
            #expect(fromPG[0].refID == nil)
            // Newest first with a limit; filters by subject and time.
            #expect(try await pg.auditRecords(AuditQuery(limit: 1)).map(\.id) == [2])
            #expect(try await pg.auditRecords(AuditQuery(subject: "ana")).map(\.id) == [1])
            #expect(try await pg.auditRecords(AuditQuery(since: at.addingTimeInterval(0.000_05))).map(\.id) == [2])
            #expect(try await pg.auditRecords(AuditQuery(until: at.addingTimeInterval(0.000_05))).map(\.id) == [1])
        }
    }

    @Test func auditPagesComeOldestFirst() async throws {
        try await withStores { stores in
            let pg = stores[0]
            for i in 0..<7 {
                try await pg.appendAudit(
                    AuditRecord(subject: i % 2 == 0 ? "ana" : "ben", question: "q\(i)", answerID: nil, sources: [], model: "m", indexVersion: 0))
            }
            let pages = Locked<[[Int64]]>([])
            try await pg.forEachAuditPage(AuditQuery(), pageSize: 3) { page in pages.withLock { $0.append(page.compactMap(\.id)) } }
            #expect(pages.withLock { $0 } == [[1, 2, 3], [4, 5, 6], [7]])
            let ana = Locked<[Int64]>([])
            try await pg.forEachAuditPage(AuditQuery(subject: "ana"), pageSize: 2) { page in ana.withLock { $0 += page.compactMap(\.id) } }
            #expect(ana.withLock { $0 } == [1, 3, 5, 7])
        }
    }

    @Test func aTamperedRowIsNamedByVerifyAndTheTrailRefusesEdits() async throws {
        try await withStores { stores in
            let pg = stores[0]
            for i in 0..<5 {
                try await pg.appendAudit(AuditRecord(subject: "ana", question: "q\(i)", answerID: nil, sources: [], model: "m", indexVersion: 0))
            }
            #expect(try await pg.verifyAuditChain() == 5)
            let url = pg.stateDescription
            // The triggers refuse UPDATE, DELETE and TRUNCATE.
            for sql in ["UPDATE audit SET question = 'x' WHERE id = 3", "DELETE FROM audit WHERE id = 5", "TRUNCATE audit"] {
                await #expect(throws: (any Error).self) {
                    try await PostgresTestCluster.withSuperuser(url: url) { c in
                        try await c.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestCluster.logger)
                    }
                }
            }
            #expect(try await pg.verifyAuditChain() == 5)
            // A superuser who switches the trigger off edits row 3: verify names it.
            try await PostgresTestCluster.withSuperuser(url: url) { c in
                try await c.query("ALTER TABLE audit DISABLE TRIGGER audit_append_only", logger: PostgresTestCluster.logger)
                try await c.query("UPDATE audit SET question = 'edited' WHERE id = 3", logger: PostgresTestCluster.logger)
            }
            do {
                _ = try await pg.verifyAuditChain()
                Issue.record("verify accepted an edited row")
            } catch let e as AuditChainBreak {
                #expect(e.rowID == 3)
                #expect(e.reason.contains("content does not match its hash"))
            }
            // Removing row 2 as well: its removal is found first, and named.
            try await PostgresTestCluster.withSuperuser(url: url) { c in
                try await c.query("DELETE FROM audit WHERE id = 2", logger: PostgresTestCluster.logger)
            }
            do {
                _ = try await pg.verifyAuditChain()
                Issue.record("verify accepted a removed row")
            } catch let e as AuditChainBreak {
                #expect(e.rowID == 2)
                #expect(e.reason.contains("row 2 is missing (deleted): row 3 follows row 1"))
            }
        }
    }

    // MARK: Cache

    @Test func cacheFreshAndStaleAcrossInstances() async throws {
        try await withStores(2) { stores in
            let (a, b) = (stores[0], stores[1])
            let t0 = Date(timeIntervalSince1970: 1_000_000)
            let old = CacheEntry(
                key: "k-v1", lineage: "L", answer: Answer(answerID: "x1", question: "q", answer: "old [1].", indexVersion: 1, createdAt: t0),
                indexVersion: 1, model: "m", createdAt: t0, expiresAt: t0.addingTimeInterval(60))
            try await a.putCacheEntry(old)
            #expect(try await b.cacheEntry(key: "k-v1") == old)
            #expect(try await b.cacheEntry(key: "missing") == nil)
            let t1 = t0.addingTimeInterval(100)
            let new = CacheEntry(
                key: "k-v2", lineage: "L", answer: Answer(answerID: "x2", question: "q", answer: "new [1].", indexVersion: 2, createdAt: t1),
                indexVersion: 2, model: "m", createdAt: t1, expiresAt: t1.addingTimeInterval(60))
            try await b.putCacheEntry(new)
            #expect(try await a.latestCacheEntry(lineage: "L")?.key == "k-v2")
            #expect(try await a.latestCacheEntry(lineage: "other") == nil)
            // An upsert replaces the entry with the same key.
            var replaced = new
            replaced.expiresAt = t1.addingTimeInterval(600)
            try await a.putCacheEntry(replaced)
            #expect(try await b.cacheEntry(key: "k-v2")?.expiresAt == replaced.expiresAt)
            let counts: [Int64] = try await b.rows("SELECT count(*) FROM cache_entry", Int64.self)
            #expect(counts == [2])
        }
    }

    // MARK: Answers and history

    @Test func answersAndHistoryAreSubjectScoped() async throws {
        try await withStores(2) { stores in
            let (a, b) = (stores[0], stores[1])
            func answer(_ q: String, at: Double, refused: Bool = false) -> Answer {
                Answer(question: q, answer: "A [1].", refused: refused, model: "m", createdAt: Date(timeIntervalSince1970: at))
            }
            let dose = try await a.saveAnswer(answer("Dose of Amoxicillin 50%?", at: 10), subject: "ana", originID: nil)
            let sepsis = try await a.saveAnswer(answer("Sepsis bundle?", at: 20), subject: "ana", originID: nil)
            let bens = try await b.saveAnswer(answer("Dose of heparin?", at: 15), subject: "ben", originID: nil)
            guard let doseID = dose.answerID, let bensID = bens.answerID else {
                Issue.record("saveAnswer assigned no id")
                return
            }
            // Another subject's id is nil, on either instance.
            #expect(try await b.answer(id: doseID, subject: "ana")?.question == "Dose of Amoxicillin 50%?")
            #expect(try await b.answer(id: doseID, subject: "ben") == nil)
            #expect(try await a.answer(id: bensID, subject: "ana") == nil)
            #expect(try await a.answer(id: bensID, subject: nil)?.question == "Dose of heparin?")
            // History newest first, filtered by words of the question, case-insensitive, wildcards literal.
            #expect(try await b.history(query: nil, limit: 50, subject: "ana").map(\.question) == ["Sepsis bundle?", "Dose of Amoxicillin 50%?"])
            #expect(try await b.history(query: "DOSE", limit: 50, subject: "ana").map(\.answerID) == [doseID])
            #expect(try await b.history(query: "50%", limit: 50, subject: "ana").map(\.answerID) == [doseID])
            #expect(try await b.history(query: "5_%", limit: 50, subject: "ana").isEmpty)
            #expect(try await b.history(query: "dose", limit: 50, subject: nil).count == 2)
            #expect(try await b.history(query: nil, limit: 1, subject: "ana").count == 1)
            // The copy a cached answer makes for another subject is theirs.
            let copy = try await b.saveAnswer(answer("Dose of Amoxicillin 50%?", at: 30), subject: "ben", originID: doseID)
            let asked = "Dose of Amoxicillin 50%?"
            #expect(try await a.ownAnswer(originID: doseID, subject: "ben", question: asked)?.answerID == copy.answerID)
            #expect(try await a.ownAnswer(originID: doseID, subject: "ana", question: asked)?.answerID == doseID)
            #expect(try await a.ownAnswer(originID: doseID, subject: "cy", question: asked) == nil)
            // Counting and paging, oldest first, with the position to go on from.
            #expect(try await a.answerCount(subject: "ana", since: nil) == 2)
            #expect(try await a.answerCount(subject: "ana", since: Date(timeIntervalSince1970: 15)) == 1)
            let first = try await b.answers(subject: "ana", since: nil, after: nil, limit: 1)
            #expect(first.items.map(\.answerID) == [doseID])
            let next = try #require(first.next)
            let second = try await b.answers(subject: "ana", since: nil, after: next, limit: 1)
            #expect(second.items.map(\.answerID) == [sepsis.answerID])
            #expect(second.next == nil)
            #expect(
                try await b.answers(subject: "ben", since: Date(timeIntervalSince1970: 20), after: nil, limit: 10).items.map(\.answerID) == [
                    copy.answerID
                ])
        }
    }

    // MARK: Tokens

    @Test func revocationsAreSeenByTheOtherInstance() async throws {
        try await withStores(2) { stores in
            let (a, b) = (stores[0], stores[1])
            let t = Date(timeIntervalSince1970: 1_000)
            try await a.recordIssuedToken(jti: "j1", subject: "ana", issuedAt: t, expiresAt: t.addingTimeInterval(3600), roles: ["clinician"])
            try await a.recordIssuedToken(jti: "j2", subject: "ben", issuedAt: t, expiresAt: t.addingTimeInterval(3600), roles: [])
            var seen = try await b.refreshRevocations(RevocationSet())
            #expect(seen.tokenIDs.isEmpty && seen.subjects.isEmpty)
            try await a.revokeToken(jti: "j1", at: t.addingTimeInterval(10))
            seen = try await b.refreshRevocations(seen)
            #expect(seen.isRevoked(jti: "j1", subject: "ana", issuedAt: 1_000))
            #expect(!seen.isRevoked(jti: "j2", subject: "ben", issuedAt: 1_000))
            let mark = seen.lastRowID
            #expect(mark > 0)
            #expect(try await b.revokeSubject("ben", at: t.addingTimeInterval(20)) == 1)
            seen = try await a.refreshRevocations(seen)
            #expect(seen.isRevoked(jti: "j2", subject: "ben", issuedAt: 1_000))
            #expect(!seen.isRevoked(jti: "j9", subject: "ben", issuedAt: 1_021))
            #expect(seen.lastRowID > mark)
            // Only what is new is fetched: nothing since the last read.
            #expect(try await a.refreshRevocations(seen) == seen)
            let tokens = try await b.issuedTokens(subject: nil)
            #expect(Set(tokens.map(\.jti)) == ["j1", "j2"])
            #expect(tokens.first { $0.jti == "j1" }?.roles == ["clinician"])
            #expect(tokens.first { $0.jti == "j1" }?.revokedAt == t.addingTimeInterval(10))
            #expect(tokens.first { $0.jti == "j2" }?.revokedAt == t.addingTimeInterval(20))
            #expect(try await a.issuedTokens(subject: "ana").map(\.jti) == ["j1"])
        }
    }

    // MARK: Connecting

    @Test func aDownServerABadURLAndAMissingDatabaseGiveClearErrors() async throws {
        let cluster = try PostgresTestCluster.running()
        let port = try freeLoopbackPort()
        do {
            _ = try await PostgresGatewayState.connect(url: "postgres://bedside:s3cret-pw@127.0.0.1:\(port)/bedside")
            Issue.record("connected to a port where nothing listens")
        } catch let e as BedsideError {
            #expect(e.code.isDatabase)
            #expect(e.message.contains("127.0.0.1:\(port)"))
            #expect(!e.description.contains("s3cret-pw"))
        }
        await #expect(throws: BedsideError.self) { _ = try await PostgresGatewayState.connect(url: "mysql://x@127.0.0.1/db") }
        await #expect(throws: BedsideError.self) { _ = try await PostgresGatewayState.connect(url: "postgres://127.0.0.1/db") }
        do {
            _ = try await PostgresGatewayState.connect(url: "postgres://bedside:pw@127.0.0.1:\(cluster.port)/no_such_db")
            Issue.record("connected to a missing database")
        } catch let e as BedsideError {
            #expect(e.code.isDatabase)
            #expect(e.message.contains("no_such_db"))
            #expect(!e.description.contains(":pw"))
        }
        // The description never shows the password.
        let url = try await cluster.freshDatabase()
        let withPassword = url.replacingOccurrences(of: "bedside@", with: "bedside:hunter2@")
        let store = try await PostgresGatewayState.connect(url: withPassword)
        #expect(!store.stateDescription.contains("hunter2"))
        #expect(store.stateDescription.hasPrefix("postgres://bedside@127.0.0.1:\(cluster.port)/"))
        try await store.closeState()
        // After closing, a call fails rather than hanging.
        await #expect(throws: (any Error).self) { _ = try await store.cacheEntry(key: "k") }
    }

    @Test func aUnixSocketURLConnects() async throws {
        let cluster = try PostgresTestCluster.running()
        let url = try await cluster.freshDatabase()
        let database = try #require(URLComponents(string: url)?.path.dropFirst())
        let socketURL = "postgres://bedside@localhost:\(cluster.port)/\(database)?host=\(cluster.folder.path)/pg"
        let store = try await PostgresGatewayState.connect(url: socketURL)
        #expect(try await store.takeToken(subject: "ana", capacity: 3, refillPerSecond: 1).allowed)
        #expect(store.stateDescription.contains("?host=\(cluster.folder.path)/pg"))
        try await store.closeState()
    }
}
