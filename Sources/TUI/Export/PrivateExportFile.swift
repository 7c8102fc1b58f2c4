import Core
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An export holds a patient's question and the answer to it, so it is private to its owner
/// whatever the umask: the file is 0600 from the moment it exists, and each folder the export
/// creates is 0700. A folder that already exists (the working folder, one the user chose)
/// keeps its mode.
enum PrivateExportFile {
    /// Creates `directory` and its missing parents as 0700 folders.
    static func ensureFolder(_ directory: String) throws {
        var missing: [String] = []
        var path = directory
        var info = stat()
        while !path.isEmpty, path != "/", stat(path, &info) != 0 {
            missing.append(path)
            path = (path as NSString).deletingLastPathComponent
        }
        if !path.isEmpty, stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
            throw BedsideError(.badRequest, "Cannot export into \(path): it is not a folder.")
        }
        for folder in missing.reversed() {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw BedsideError(.badRequest, "Cannot create the export folder \(folder): \(String(cString: strerror(errno))).")
            }
            _ = chmod(folder, 0o700) // the umask may have narrowed the mode; make it exact
        }
    }

    /// Writes `data` to `path` as a 0600 file, whole or not at all: a temporary file created
    /// 0600 beside it (never through a link), then renamed over `path`.
    static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".bedside-export-\(UUID().uuidString).tmp")
        func failure(_ what: String) -> BedsideError {
            BedsideError(.badRequest, "Cannot write the export \(path): \(what) (\(String(cString: strerror(errno)))).")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create it") }
        var ok = fchmod(fd, 0o600) == 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while ok, offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { ok = false } else { offset += n }
            }
        }
        if close(fd) != 0 { ok = false }
        guard ok, rename(temporary, path) == 0 else {
            let error = failure("writing failed")
            unlink(temporary)
            throw error
        }
    }
}
