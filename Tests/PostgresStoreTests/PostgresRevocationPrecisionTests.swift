import Foundation
import PostgresStore
import SQLiteStore
import SharedState
import TestSupport
import Testing

/// The PostgreSQL store keeps revocation and issue times to the sub-second, as SQLite does:
/// a token issued in the same second as `revokeSubject` but after it is valid (finding 8).
@Suite(
    .postgresCluster, .enabled(if: PostgresTestCluster.available, "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin: skipped"))
struct PostgresRevocationPrecisionTests {
    @Test func subjectRevocationSplitsOneSecond() async throws {
        try await withStores(1) { stores in
            let store = stores[0]
            func at(_ t: Double) -> Date { Date(timeIntervalSince1970: t) }
            try await store.recordIssuedToken(
                jti: "before", subject: "ana", issuedAt: at(1_800_000_000.25), expiresAt: at(1_800_003_600), roles: [])
            #expect(try await store.revokeSubject("ana", at: at(1_800_000_000.5)) == 1)
            try await store.recordIssuedToken(
                jti: "after", subject: "ana", issuedAt: at(1_800_000_000.75), expiresAt: at(1_800_003_600), roles: [])
            let tokens = Dictionary(uniqueKeysWithValues: try await store.issuedTokens(subject: "ana").map { ($0.jti, $0) })
            #expect(tokens["before"]?.revokedAt == at(1_800_000_000.5))
            #expect(tokens["after"]?.revokedAt == nil)
            #expect(tokens["after"]?.issuedAt == at(1_800_000_000.75))
            let set = try await store.refreshRevocations(RevocationSet())
            #expect(set.isRevoked(jti: "before", subject: "ana", issuedAt: 1_800_000_000.25))
            #expect(!set.isRevoked(jti: "after", subject: "ana", issuedAt: 1_800_000_000.75))
        }
    }
}
