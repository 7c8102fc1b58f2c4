import Core
import Foundation
import SQLiteStore
import SharedState

/// Revoked tokens as this process knows them, re-read from the database at most every
/// `refreshInterval` (default 0.5 s), so a `bedside token revoke` run by another process
/// takes effect everywhere in this one within a second, verified-token cache included.
///
/// The check itself is a lock and a set lookup. The refresh reads only revocation rows
/// newer than the last one seen, and only one request does it at a time: the others go
/// on with the set they have (at most one interval old).
final class RevocationList: Sendable {
    private struct State {
        var set = RevocationSet()
        var refreshedAt: Duration = .seconds(-1_000_000)
        var refreshing = false
    }

    private let state = Locked(State())
    private let database: any GatewayStateStore
    private let uptime: @Sendable () -> Duration
    private let refreshInterval: Duration

    init(database: any GatewayStateStore, uptime: @escaping @Sendable () -> Duration, refreshInterval: Duration = .milliseconds(500)) {
        self.database = database
        self.uptime = uptime
        self.refreshInterval = refreshInterval
    }

    /// True when the identity's token has been revoked.
    func isRevoked(_ identity: VerifiedIdentity) async -> Bool {
        await refreshIfDue()
        return state.withLock { $0.set }.isRevoked(jti: identity.jti, subject: identity.subject, issuedAt: identity.issuedAt)
    }

    /// The answer from the set in memory while it is within its refresh interval; nil once a
    /// refresh is due (the caller then goes through `isRevoked`, which refreshes).
    func knownRevoked(_ identity: VerifiedIdentity) -> Bool? {
        let now = uptime()
        return state.withLock { s -> Bool? in
            guard now - s.refreshedAt < refreshInterval else { return nil }
            return s.set.isRevoked(jti: identity.jti, subject: identity.subject, issuedAt: identity.issuedAt)
        }
    }

    /// Reads new revocations now (after a revoke in this process, and in tests).
    func refresh() async {
        let current = state.withLock { $0.set }
        // On failure the last known set is kept; the next request tries again.
        guard let merged = try? await database.refreshRevocations(current) else { return }
        let now = uptime()
        state.withLock { s in
            s.set = merged
            s.refreshedAt = now
        }
    }

    private func refreshIfDue() async {
        let now = uptime()
        let due = state.withLock { s -> Bool in
            guard !s.refreshing, now - s.refreshedAt >= refreshInterval else { return false }
            s.refreshing = true
            return true
        }
        guard due else { return }
        await refresh()
        state.withLock { $0.refreshing = false }
    }
}
