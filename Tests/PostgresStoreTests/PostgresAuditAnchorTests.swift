import Core
import Foundation
import PostgresNIO
import PostgresStore
import SQLiteStore
import SharedState
import TestSupport
import Testing

/// Issue 19 finding 4 on PostgreSQL: `audit_head` anchors the chain's end and signed
/// checkpoints anchor what came before, so a superuser who switches the triggers off and
/// deletes or rewrites rows is found by `verifyAuditChain`. Also finding 8: the store keeps
/// the token secret's fingerprint set by the first gateway.
extension PostgresGatewayStateTests {
    /// A store with `count` rows and its append-only trigger switched off by a superuser.
    static func tamperable(_ pg: PostgresGatewayState, rows count: Int = 10) async throws {
        for i in 1...count {
            try await pg.appendAudit(
                AuditRecord(subject: "ana", question: "q\(i)", answerID: nil, sources: ["doc#\(i)"], model: "m", indexVersion: 0))
        }
        try await superuser(pg, "ALTER TABLE audit DISABLE TRIGGER audit_append_only")
    }

    static func superuser(_ pg: PostgresGatewayState, _ sql: String) async throws {
        try await PostgresTestCluster.withSuperuser(url: pg.stateDescription) { c in
            try await c.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestCluster.logger)
        }
    }

    static func verifyBreak(_ pg: PostgresGatewayState, _ checkpoints: [AuditCheckpoint] = []) async -> AuditChainBreak? {
        await #expect(throws: AuditChainBreak.self) { try await pg.verifyAuditChain(against: checkpoints) }
    }

    /// Edits row `id` and recomputes every hash from it on (and the head, when `moveHead`).
    static func rewrite(_ pg: PostgresGatewayState, from id: Int64, moveHead: Bool) async throws {
        let rows = try await pg.auditRecords(AuditQuery())
        var previous = rows.first { $0.id == id - 1 }?.hash ?? ""
        try await PostgresTestCluster.withSuperuser(url: pg.stateDescription) { c in
            for var r in rows where (r.id ?? 0) >= id {
                if r.id == id { r.question = "rewritten" }
                let hash = r.chainHash(id: r.id ?? 0, previous: previous, sourcesJSON: try AuditRow.sourcesJSON(r.sources))
                try await c.query(
                    "UPDATE audit SET question = \(r.question), prev_hash = \(previous), hash = \(hash) WHERE id = \(r.id ?? 0)",
                    logger: PostgresTestCluster.logger)
                previous = hash
            }
            if moveHead {
                try await c.query("UPDATE audit_head SET last_hash = \(previous)", logger: PostgresTestCluster.logger)
            }
        }
    }

    @Test func deletingTheTailOnPostgresIsFoundBeforeTheNextAppend() async throws {
        try await withStores { stores in
            let pg = stores[0]
            try await Self.tamperable(pg)
            #expect(try await pg.verifyAuditChain() == 10)
            try await Self.superuser(pg, "DELETE FROM audit WHERE id > 7")
            let tail = await Self.verifyBreak(pg)
            #expect(tail?.rowID == 8)
            #expect(tail?.reason.contains("rows 8-10 are missing at the end") == true, "\(String(describing: tail))")
        }
    }

    @Test func deletingEveryRowOnPostgresIsFound() async throws {
        try await withStores { stores in
            let pg = stores[0]
            try await Self.tamperable(pg)
            try await Self.superuser(pg, "DELETE FROM audit")
            let all = await Self.verifyBreak(pg)
            #expect(all?.rowID == 1)
            #expect(all?.reason.contains("every row is missing") == true, "\(String(describing: all))")
        }
    }

    @Test func aGapInTheMiddleOnPostgresNamesTheMissingRows() async throws {
        try await withStores { stores in
            let pg = stores[0]
            try await Self.tamperable(pg)
            try await Self.superuser(pg, "DELETE FROM audit WHERE id = 5")
            let gap = await Self.verifyBreak(pg)
            #expect(gap?.rowID == 5)
            #expect(gap?.reason.contains("row 5 is missing (deleted): row 6 follows row 4") == true, "\(String(describing: gap))")
        }
    }

    @Test func editingAndRehashingOnPostgresIsFoundByTheHeadOrACheckpoint() async throws {
        try await withStores { stores in
            let pg = stores[0]
            try await Self.tamperable(pg)
            let key = Array(repeating: UInt8(3), count: 32)
            let checkpoint = AuditCheckpoint(summary: try await pg.verifyAuditChain(against: []), store: pg.stateDescription, at: Date(), key: key)
            try await Self.rewrite(pg, from: 4, moveHead: false)
            let byHead = await Self.verifyBreak(pg)
            #expect(byHead?.rowID == 10)
            #expect(byHead?.reason.contains("rewritten") == true, "\(String(describing: byHead))")
            // The head rewritten as well (its trigger only refuses moving back): the checkpoint still tells.
            try await Self.rewrite(pg, from: 4, moveHead: true)
            #expect(try await pg.verifyAuditChain() == 10)
            let byCheckpoint = await Self.verifyBreak(pg, [checkpoint])
            #expect(byCheckpoint?.rowID == 1)
            #expect(byCheckpoint?.reason.contains("rewritten between rows 1 and 10") == true, "\(String(describing: byCheckpoint))")
            // A tampered checkpoint is refused before it is compared.
            var forged = checkpoint
            forged.lastHash = try await pg.verifyAuditChain(against: []).lastHash
            #expect(throws: AuditCheckpointError.self) { try forged.checkSignature(key: key) }
        }
    }

    @Test func theHeadOnPostgresCannotBeRemovedOrMovedBack() async throws {
        try await withStores { stores in
            let pg = stores[0]
            try await Self.tamperable(pg, rows: 3)
            for sql in ["DELETE FROM audit_head", "UPDATE audit_head SET last_id = 1", "TRUNCATE audit_head"] {
                await #expect(throws: (any Error).self) { try await Self.superuser(pg, sql) }
            }
            #expect(try await pg.verifyAuditChain() == 3)
        }
    }

    @Test func theFirstGatewaysSecretFingerprintIsKept() async throws {
        try await withStores(2) { stores in
            let first = try await stores[0].claimTokenSecretFingerprint("aaaa")
            let second = try await stores[1].claimTokenSecretFingerprint("bbbb")
            let again = try await stores[0].claimTokenSecretFingerprint("aaaa")
            #expect(first == "aaaa" && second == "aaaa" && again == "aaaa")
        }
    }
}
