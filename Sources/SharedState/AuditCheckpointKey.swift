import Core
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The key that signs audit checkpoints: 32 random bytes, base64url text, in a file of its
/// own (mode 0600, never in the database), by default `audit-checkpoint.key` beside the
/// SQLite database. It is not the gateway's token secret, so rotating that secret leaves
/// old checkpoints checkable; an operator who wants the key off the gateway's machine moves
/// it and passes `--key`.
public enum AuditCheckpointKey {
    public static let fileName = "audit-checkpoint.key"
    /// The checkpoint file's default name, beside the database too.
    public static let checkpointsFileName = "audit-checkpoints.jsonl"
    static let byteCount = 32

    /// `name` in the folder of the SQLite database at `databasePath`.
    public static func beside(_ databasePath: String, _ name: String) -> String {
        ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// Reads the key, or creates it when `create` is set and the file is missing.
    public static func load(path: String, create: Bool) throws -> [UInt8] {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard create else {
                throw BedsideError(
                    .badRequest,
                    "The checkpoint key \(path) does not exist; pass --key with the key the checkpoints were signed with.")
            }
            try createKey(path: path)
        }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw BedsideError(.config, "Cannot read the checkpoint key \(path): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid() else {
            throw BedsideError(.config, "The checkpoint key \(path) is not a regular file owned by this user.")
        }
        if info.st_mode & 0o077 != 0 {
            throw BedsideError(.config, "The checkpoint key \(path) can be read by other users; run `chmod 600 \(path)`.")
        }
        var bytes = [UInt8](repeating: 0, count: 1024)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        let text = n > 0 ? String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        guard let key = Data(base64Encoded: base64(text)), key.count >= byteCount else {
            throw BedsideError(.config, "The checkpoint key \(path) is damaged (expected \(byteCount) bytes of base64url).")
        }
        return Array(key)
    }

    /// Writes a new key to a private temporary file, syncs it, and links it into place
    /// (`link` fails rather than replace a key that appeared meanwhile).
    private static func createKey(path: String) throws {
        var rng = SystemRandomNumberGenerator()
        let key = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        let text = Data(key).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let dir = (path as NSString).deletingLastPathComponent
        let temp = (dir.isEmpty ? "." : dir) + "/.audit-checkpoint-key-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try writePrivate(Array((text + "\n").utf8), to: temp, flags: O_EXCL)
        defer { unlink(temp) }
        if link(temp, path) != 0, errno != EEXIST {
            throw BedsideError(.config, "Cannot create the checkpoint key \(path): \(String(cString: strerror(errno))).")
        }
    }

    /// Appends `line` to `path` (created 0600; an existing file of ours is tightened to 0600)
    /// and syncs it: a checkpoint is on disk before the command reports it.
    public static func appendLine(_ line: String, to path: String) throws {
        try writePrivate(Array(line.utf8), to: path, flags: O_APPEND)
    }

    private static func writePrivate(_ bytes: [UInt8], to path: String, flags: Int32) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags, 0o600)
        guard fd >= 0 else { throw BedsideError(.badRequest, "Cannot write \(path): \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw BedsideError(.badRequest, "Cannot write \(path).") }
    }

    /// base64url without padding as Foundation's base64.
    private static func base64(_ s: String) -> String {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return t
    }
}
