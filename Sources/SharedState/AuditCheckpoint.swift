import Core
import Crypto
import Foundation

/// A signed statement of where the audit chain ended at a moment: how many rows, the last
/// id and its hash. `bedside audit checkpoint` appends one per line (JSONL) to a file the
/// operator keeps away from the database; `bedside audit verify --checkpoints FILE` then
/// finds rows deleted or rewritten before it, even by someone who could also move the
/// database's own head record.
///
/// The signature is HMAC-SHA256 with a key that is never in the database
/// (`AuditCheckpointKey`), so whoever can write the database cannot forge a checkpoint that
/// blesses a rewritten chain.
public struct AuditCheckpoint: Codable, Sendable, Hashable {
    public var version: Int
    public var rows: Int
    public var lastID: Int64
    public var lastHash: String
    /// ISO 8601, UTC, as signed.
    public var at: String
    /// The store it was taken of (never a password); informative.
    public var store: String
    /// Names the key (a SHA-256 prefix of it), so a wrong key is told from an edited line.
    public var keyID: String
    /// Hex HMAC-SHA256 of `signedBytes` under the key.
    public var mac: String

    enum CodingKeys: String, CodingKey {
        case version, rows, at, store, mac
        case lastID = "last_id"
        case lastHash = "last_hash"
        case keyID = "key_id"
    }

    /// A checkpoint of `summary`, signed with `key`.
    public init(summary: AuditChainSummary, store: String, at: Date, key: [UInt8]) {
        self.version = 1
        self.rows = summary.rows
        self.lastID = summary.lastID
        self.lastHash = summary.lastHash
        self.at = at.formatted(.iso8601)
        self.store = store
        self.keyID = Self.keyID(key)
        self.mac = ""
        self.mac = Self.sign(signedBytes, key: key)
    }

    /// Every field but the MAC, each length-prefixed so no two checkpoints sign the same bytes.
    var signedBytes: [UInt8] {
        var out = Array("bedside-audit-checkpoint\n".utf8)
        for f in [String(version), String(rows), String(lastID), lastHash, at, store, keyID] {
            out += Array("\(f.utf8.count):".utf8) + Array(f.utf8)
        }
        return out
    }

    /// Throws naming what is wrong when the MAC does not match under `key`.
    public func checkSignature(key: [UInt8]) throws {
        guard version == 1 else { throw AuditCheckpointError("version \(version) is not one this Bedside reads") }
        guard keyID == Self.keyID(key) else {
            let named = keyID.count == 16 && keyID.allSatisfy(\.isHexDigit) ? keyID : "unreadable"
            throw AuditCheckpointError("it was signed with another key (key \(named); this key is \(Self.keyID(key)))")
        }
        guard let given = Self.bytes(hex: mac),
            HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: signedBytes, using: SymmetricKey(data: key))
        else { throw AuditCheckpointError("its signature does not match its content (the line was edited)") }
    }

    static func sign(_ bytes: [UInt8], key: [UInt8]) -> String {
        AuditRecord.hex(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: key)))
    }

    static func keyID(_ key: [UInt8]) -> String { String(AuditRecord.hex(SHA256.hash(data: key)).prefix(16)) }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The checkpoints in a JSONL file, oldest first, each signature checked with `key`.
    /// Throws `AuditCheckpointError` naming the first line that cannot be read or whose
    /// signature is bad: a tampered checkpoint file is itself a finding.
    public static func load(path: String, key: [UInt8]) throws -> [AuditCheckpoint] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BedsideError(.badRequest, "Cannot read the checkpoint file \(path).", detail: "\(error)")
        }
        var out: [AuditCheckpoint] = []
        for (n, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let where_ = "checkpoint line \(n + 1) of \(path)"
            guard let cp = try? JSONDecoder().decode(AuditCheckpoint.self, from: Data(line.utf8)) else {
                throw AuditCheckpointError("\(where_) is not a checkpoint (the file was edited)")
            }
            // Nothing of an unchecked line but its numbers reaches the message (it is printed on a terminal).
            do { try cp.checkSignature(key: key) } catch let e as AuditCheckpointError {
                throw AuditCheckpointError("\(where_) (row \(cp.lastID)) is not trustworthy: \(e.message)")
            }
            out.append(cp)
        }
        return out
    }

    /// Appends this checkpoint as one line to `path`, creating the file 0600 (it names the
    /// store and the chain's hashes), and syncs it to disk.
    public func append(to path: String) throws {
        let line = String(decoding: try JSONEncoder.sorted.encode(self), as: UTF8.self) + "\n"
        try AuditCheckpointKey.appendLine(line, to: path)
    }
}

/// A checkpoint file that cannot be trusted: unreadable line, bad signature, wrong key.
public struct AuditCheckpointError: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) { self.message = message }
}
