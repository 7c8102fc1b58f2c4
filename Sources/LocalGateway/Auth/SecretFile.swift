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

    /// Reads the secret, or creates it (exclusively, so two first runs cannot race).
    static func loadOrCreate(path: String, randomBytes: (Int) -> [UInt8]) throws -> [UInt8] {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { return try load(path: path) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
                throw BedsideError(.config, "Cannot create the folder for the token secret, \(dir).", detail: "\(error)")
            }
        }
        let secret = randomBytes(byteCount)
        guard secret.count >= byteCount else { throw BedsideError(.internalError, "Not enough random bytes for the token secret.") }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd < 0 {
            if errno == EEXIST { return try load(path: path) }  // created by a concurrent first run
            throw BedsideError(.config, "Cannot create the token secret \(path): \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let text = Array((Base64URL.encode(secret) + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            throw BedsideError(.config, "Cannot write the token secret \(path).")
        }
        return secret
    }

    static func load(path: String) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw BedsideError(.config, "Cannot read the token secret \(path).") }
        if info.st_mode & 0o077 != 0 {
            throw BedsideError(.config, "The token secret \(path) can be read by other users; run `chmod 600 \(path)` and start again.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BedsideError(.config, "Cannot read the token secret \(path).")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let secret = Base64URL.decode(Array(text.utf8)), secret.count >= byteCount else {
            throw BedsideError(.config, "The token secret \(path) is damaged (expected \(byteCount) bytes of base64url). Delete it to create a new one; existing tokens will stop working.")
        }
        return secret
    }

    static func systemRandomBytes(_ count: Int) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }
}
