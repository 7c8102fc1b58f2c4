import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The HS256 secret on disk: 32 random bytes, base64url text, mode 0600.
enum SecretFile {
    static let byteCount = 32

    /// Reads the secret, or creates it: written in full to a private temporary file in the
    /// same folder, fsynced, then linked into place with `link(2)`, which fails rather than
    /// replace a file that appeared meanwhile. So a reader never sees a half-written secret
    /// and two first runs cannot both win.
    static func loadOrCreate(path: String, randomBytes: (Int) -> [UInt8]) throws -> [UInt8] {
        var info = stat()
        if lstat(path, &info) == 0 { return try load(path: path) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw BedsideError(.config, "Cannot create the folder for the token secret, \(dir).", detail: "\(error)")
            }
        }
        let secret = randomBytes(byteCount)
        guard secret.count >= byteCount else { throw BedsideError(.internalError, "Not enough random bytes for the token secret.") }
        let temp = (dir.isEmpty ? "." : dir) + "/.gateway-secret-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BedsideError(.config, "Cannot create the token secret \(path): \(String(cString: strerror(errno))).") }
        defer { unlink(temp) }
        _ = fchmod(fd, 0o600)
        let text = Array((Base64URL.encode(secret) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == text.count, synced else { throw BedsideError(.config, "Cannot write the token secret \(path).") }
        if link(temp, path) != 0 {
            if errno == EEXIST { return try load(path: path) } // created by a concurrent first run
            throw BedsideError(.config, "Cannot create the token secret \(path): \(String(cString: strerror(errno))).")
        }
        return secret
    }

    /// Reads the secret, refusing one that is a symbolic link, not a regular file (without
    /// waiting on a FIFO: it is opened non-blocking and checked with `fstat`), owned
    /// by another user, or readable by others: any of those would let someone else choose
    /// or read the key that signs every token.
    static func load(path: String) throws -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever,
        // hanging `serve` and `token create`; it is refused below as not a regular file.
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw BedsideError(
                    .config,
                    "The token secret \(path) is a symbolic link; Bedside only uses a regular file it owns. Replace the link with the file itself.")
            }
            throw BedsideError(.config, "Cannot read the token secret \(path): \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BedsideError(.config, "Cannot read the token secret \(path).") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw BedsideError(
                .config,
                "The token secret \(path) is not a regular file (a FIFO, socket, device or folder); Bedside only uses a regular file it owns. Remove it to have a new secret created."
            )
        }
        guard info.st_uid == geteuid() else {
            throw BedsideError(
                .config,
                "The token secret \(path) belongs to another user (uid \(info.st_uid)); Bedside only uses a secret owned by the user it runs as.")
        }
        if info.st_mode & 0o077 != 0 {
            throw BedsideError(.config, "The token secret \(path) can be read by other users; run `chmod 600 \(path)` and start again.")
        }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw BedsideError(.config, "Cannot read the token secret \(path).") }
        let text = String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let secret = Base64URL.decode(Array(text.utf8)), secret.count >= byteCount else {
            throw BedsideError(
                .config,
                "The token secret \(path) is damaged (expected \(byteCount) bytes of base64url). Delete it to create a new one; existing tokens will stop working."
            )
        }
        return secret
    }

    static func systemRandomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }
}
