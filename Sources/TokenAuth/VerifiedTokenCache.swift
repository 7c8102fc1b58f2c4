import Core
import Crypto

/// Tokens already verified, keyed by the SHA-256 of the token (the token itself is not
/// kept), so a client repeating its token skips the signature check. Time claims are
/// re-checked on every hit by the caller. Bounded: when full it is emptied, which only
/// costs one re-verification per active token.
package final class VerifiedTokenCache: Sendable {
    package struct Fingerprint: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64
    }

    private let entries = Locked<[Fingerprint: VerifiedIdentity]>([:])
    private let capacity: Int

    package init(capacity: Int) { self.capacity = capacity }

    package static func fingerprint(_ token: String) -> Fingerprint {
        var hasher = SHA256()
        if token.utf8.withContiguousStorageIfAvailable({ hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.update(data: Array(token.utf8))
        }
        return hasher.finalize().withUnsafeBytes { raw in
            Fingerprint(a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                        c: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    package func get(_ key: Fingerprint) -> VerifiedIdentity? {
        guard capacity > 0 else { return nil }
        return entries.withLock { $0[key] }
    }

    package func put(_ key: Fingerprint, _ identity: VerifiedIdentity) {
        guard capacity > 0 else { return }
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = identity
        }
    }

    package func remove(_ key: Fingerprint) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    package var count: Int { entries.withLock { $0.count } }
}
