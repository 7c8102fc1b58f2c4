import Core
import Foundation
import TestSupport
import Testing

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
        // folder of this test, never in the user's own ~/.local/share nor another test's.
        environment["XDG_DATA_HOME"] = dataHome
        for (k, v) in extra { environment[k] = v }
        return environment
    }

    /// The data folder of the running test: one per test, so tests running in parallel never
    /// share replicas or a default database. Under the temp folder, removed by no one.
    static var dataHome: String {
        let key = Test.current.map { String(describing: $0.id) } ?? "no-test"
        return dataHomes.withLock { homes in
            if let home = homes[key] { return home }
            let home = NSTemporaryDirectory() + "bedside-e2e-data-" + UUID().uuidString
            try? FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            homes[key] = home
            return home
        }
    }

    private static let dataHomes = Locked<[String: String]>([:])

    typealias Result = ProcessOutput

    /// Runs `bedside` with arguments and extra environment; throws on a missing binary or after `timeout`.
    static func run(_ args: [String], env: [String: String] = [:], stdin: String? = nil, timeout: Duration = .seconds(120)) async throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestError("bedside binary not found at \(path): run `swift build` first (scripts/test.sh does)")
        }
        var environment = Self.environment(env)
        environment["NO_COLOR"] = "1"
        return try await cliSlots.withSlot {
            try await ChildProcess.run(path, args, environment: environment, stdin: stdin, timeout: timeout)
        }
    }

    /// One-shot CLI runs at a time across the parallel run (BEDSIDE_E2E_CLI_SLOTS, default 2).
    /// Each `ask` loads an index; thirty of them at once on 2 cores would stretch the
    /// wall-clock bounds of the timing tests that share the run. Servers and consoles are not
    /// gated (a test holding one while it waits for a slot could never give it back).
    static let cliSlots = AsyncSemaphore(limit: max(1, Int(ProcessInfo.processInfo.environment["BEDSIDE_E2E_CLI_SLOTS"] ?? "") ?? 2))
}

/// A test's scratch folder.
typealias Scratch = TempDirectory

/// Runs a system tool (not `bedside`) found on PATH and captures its output.
enum Shell {
    static func run(_ tool: String, _ args: [String]) async throws -> ProcessOutput {
        try await ChildProcess.run("/usr/bin/env", [tool] + args)
    }
}
