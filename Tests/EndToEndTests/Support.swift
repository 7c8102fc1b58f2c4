import Foundation

/// Locates the package and the built `bedside` binary, and runs it.
enum Bin {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug binary `swift build` made (the test command builds it first).
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["BEDSIDE_BIN"] { return p }
        return packageRoot.appendingPathComponent(".build/debug/bedside").path
    }

    static var demoCorpus: String { packageRoot.appendingPathComponent("corpus/demo").path }

    /// Variables that wire real components (LLM, embeddings, Qdrant, retriever, index).
    static let componentVariables = [
        "BEDSIDE_QDRANT_URL", "BEDSIDE_QDRANT_API_KEY", "BEDSIDE_QDRANT_COLLECTION", "BEDSIDE_LLM_URL", "BEDSIDE_LLM_MODEL",
        "BEDSIDE_EMBED_URL", "BEDSIDE_EMBED_MODEL", "BEDSIDE_OPENAI_API_KEY", "BEDSIDE_RETRIEVER", "BEDSIDE_INDEX",
    ]

    /// The test process's environment without the component variables (so a run with the
    /// ML servers exported still tests the zero-setup path), plus `extra`: a live test
    /// passes the components it wants explicitly.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for k in componentVariables { environment[k] = nil }
        // Replicas, the default database and anything else under the data folder stay in a
        // folder of this test run, never in the user's own ~/.local/share.
        environment["XDG_DATA_HOME"] = scratchDataHome
        for (k, v) in extra { environment[k] = v }
        return environment
    }

    /// One data folder for the whole test run, removed by no one (it is under the temp folder).
    static let scratchDataHome: String = {
        let path = NSTemporaryDirectory() + "bedside-e2e-data-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `bedside` with arguments and extra environment; fails the test on a missing binary.
    static func run(_ args: [String], env: [String: String] = [:], stdin: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestError("bedside binary not found at \(path): run `swift build` first (scripts/test.sh does)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var environment = Self.environment(env)
        environment["NO_COLOR"] = "1"
        p.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Drain pipes concurrently so a chatty process cannot block on a full pipe.
        let outData = Locked(Data()), errData = Locked(Data())
        let group = DispatchGroup()
        for (h, box) in [(out.fileHandleForReading, outData), (err.fileHandleForReading, errData)] {
            group.enter()
            DispatchQueue.global().async { box.set(h.readDataToEndOfFile()); group.leave() }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if p.isRunning { p.terminate(); throw TestError("bedside \(args) timed out after \(timeout) s") }
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
}

/// A temp folder removed by `cleanup()`.
struct Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "bedside-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
