import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where a minted token goes: a bearer token is a password, so it is never left readable by
/// others, whatever the umask.
struct TokenFile {
    private let handle: FileHandle

    /// Creates `path` for writing, mode 0600, refusing one that exists (`O_EXCL`: nothing is
    /// overwritten, and a symbolic link planted at the path is not followed).
    static func create(_ path: String) throws -> TokenFile {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == EEXIST ? "it already exists (remove it first, or choose another name)" : String(cString: strerror(errno))
            throw BedsideError(.badRequest, "Cannot write the token to \(TerminalText.safe(path)): \(reason).")
        }
        _ = fchmod(fd, 0o600) // the umask may have taken bits away, never added them; be exact
        return TokenFile(handle: FileHandle(fileDescriptor: fd, closeOnDealloc: true))
    }

    func write(_ text: String) throws {
        try handle.write(contentsOf: Data(text.utf8))
        try handle.synchronize()
        try handle.close()
    }

    /// `bedside token create > alice.token`: the shell created the file with the umask's mode
    /// (0644 under umask 022). When standard output is a regular file of ours, it is made 0600
    /// before the token is written to it. A terminal or a pipe is left alone.
    static func restrictStandardOutput() {
        var info = stat()
        guard fstat(STDOUT_FILENO, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == getuid() else { return }
        if info.st_mode & 0o077 != 0 { _ = fchmod(STDOUT_FILENO, info.st_mode & 0o700) }
    }
}
