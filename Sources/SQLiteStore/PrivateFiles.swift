import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bedside's files hold patients' questions, so they are private to their owner whatever
/// the umask: folders Bedside creates are 0700, the database and its WAL and SHM files 0600.
///
/// SQLite creates the `-wal` and `-shm` files with the mode of the database file, so
/// creating the database 0600 before SQLite opens it (and tightening an existing one)
/// covers all three; existing side files are tightened too.
public enum PrivateFiles {
    /// Creates `folder` (and its parents) as 0700 when missing. An existing folder is
    /// tightened to 0700 only when `tighten` is set (Bedside's own data folder), never a
    /// folder the user chose for other files too, nor through a symbolic link.
    public static func ensureFolder(_ folder: String, tighten: Bool) throws {
        guard !folder.isEmpty else { return }
        var info = stat()
        if lstat(folder, &info) == 0 {
            // A symbolic link (a data folder kept elsewhere) is used as it is, never re-moded:
            // chmod would change whatever the link points to.
            let isFolder = info.st_mode & S_IFMT == S_IFDIR
            if tighten, isFolder, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 { _ = chmod(folder, 0o700) }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw BedsideError(.database, "Cannot create the data folder \(folder).", detail: "\(error)")
        }
        _ = chmod(folder, 0o700) // the umask may have narrowed, never widened, the mode; make it exact
    }

    /// Makes `path` exist as a 0600 file (empty when new), and tightens its SQLite side files.
    public static func ensureDatabaseFile(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 {
            var info = stat()
            if fstat(fd, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o600) }
            close(fd)
        } else if errno != EACCES && errno != EROFS {
            throw BedsideError(.database, "Cannot create the database \(path): \(String(cString: strerror(errno))).")
        }
        for suffix in ["-wal", "-shm", "-journal"] { tighten(path + suffix) }
    }

    /// 0600 for an existing regular file of ours that others can read (never through a link).
    public static func tighten(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_mode & 0o077 != 0 else { return }
        _ = chmod(path, 0o600)
    }

    /// The mode bits of a file (for `doctor` and tests), or nil when it is missing.
    public static func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o777)
    }
}
