import Core
import Foundation

/// What the fuzz executables share: the files of a corpus, a replay of them through an
/// oracle (the regression runner of the normal build), and a blocking bridge to async
/// code for libFuzzer's synchronous entry point.
package enum FuzzRunner {
    /// Regular files under each path (a file, or a folder searched recursively), sorted;
    /// hidden files, README files and dictionaries (.dict) are left out.
    package static func inputFiles(_ paths: [String]) -> [URL] {
        var files: [URL] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                files.append(URL(fileURLWithPath: path))
                continue
            }
            let root = URL(fileURLWithPath: path, isDirectory: true)
            guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
                continue
            }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                if url.lastPathComponent.uppercased().hasPrefix("README") || url.pathExtension == "dict" { continue }
                files.append(url)
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Replays every input file through `check`; prints each failure and returns the
    /// process exit status (0 when all pass, 1 on a failure, 2 without inputs).
    package static func replay(arguments: [String], name: String, check: @Sendable ([UInt8]) async -> String?) async -> Int32 {
        let files = inputFiles(arguments)
        guard !files.isEmpty else {
            FileHandle.standardError.write(
                Data("usage: \(name) FILE|FOLDER...  (replays corpus inputs through the oracle; build with scripts/fuzz.sh to fuzz)\n".utf8))
            return 2
        }
        var failures = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                print("\(file.path): cannot read")
                failures += 1
                continue
            }
            if let problem = await check(Array(data)) {
                print("\(file.path): \(problem)")
                failures += 1
            }
        }
        print("\(name): \(files.count) inputs, \(failures) failing")
        return failures == 0 ? 0 : 1
    }

    /// Runs async work to completion from synchronous code (libFuzzer's callback runs on
    /// its own thread, outside Swift's cooperative pool, so blocking it is safe).
    package static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Locked<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        guard let value = result.current else { fatalError("the async work finished without a value") }
        return value
    }
}
