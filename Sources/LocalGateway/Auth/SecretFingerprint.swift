import Core
import Crypto
import Foundation
import SQLiteStore
import SharedState

/// Gateways that share a store must share the token secret: with two secrets, each gateway
/// refuses the other's tokens, and tokens minted against the store by one are rejected by
/// the other at random behind a load balancer. The store keeps a fingerprint of the secret
/// (an HMAC of a fixed label under the secret: it identifies the secret without revealing
/// it), set by the first gateway to start; a gateway whose fingerprint differs refuses to start.
enum SecretFingerprint {
    /// The fingerprint of `secret` (hex, 128 bits).
    static func of(_ secret: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("bedside token secret fingerprint v1".utf8), using: SymmetricKey(data: secret))
        return AuditRecord.hex(mac.prefix(16))
    }

    /// Records this gateway's fingerprint in `state`, or throws when the store was first used
    /// with another secret, naming the fix.
    static func check(_ secret: [UInt8], secretPath: String, state: any GatewayStateStore) async throws {
        let mine = of(secret)
        guard let stored = try await state.claimTokenSecretFingerprint(mine), stored != mine else { return }
        throw BedsideError(
            .config,
            """
            The shared store \(state.stateDescription) was first used by a gateway with another token secret \
            (fingerprint \(stored.prefix(8)); this gateway's secret \(secretPath) has \(mine.prefix(8))). Gateways on one store \
            must share one secret: copy the secret file from the first gateway to \(secretPath) (or point [auth] secret_file or \
            BEDSIDE_SECRET_FILE at a copy of it). To replace the secret on purpose, stop every gateway, give them the new file, \
            and clear the old fingerprint: DELETE FROM gateway_meta WHERE key = 'token_secret_fingerprint';
            """)
    }
}
