import Foundation
import Testing

/// A throwaway loopback PostgreSQL cluster (`scripts/pg-cluster.sh start DIR`), one for a
/// suite (the `.postgresCluster` trait); each test makes a database of its own, so tests
/// run in parallel. The store's tests and the end-to-end tests share it.
///
/// Skipped where no PostgreSQL server binaries exist in /usr/lib/postgresql/*/bin;
/// `BEDSIDE_REQUIRE_POSTGRES=1` (CI) turns that skip into a failure.
public struct PostgresCluster: Sendable {
    /// The cluster's folder (the script's DIR): data, log and socket (`DIR/pg`).
    public let folder: TempDirectory
    /// The `postgres://bedside@127.0.0.1:PORT/bedside` URL the script printed.
    public let url: String
    public let port: Int
    /// The PostgreSQL binaries' folder (psql).
    public let bin: String

    @TaskLocal public static var current: PostgresCluster?

    public static var required: Bool { ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_POSTGRES"] == "1" }

    /// The newest /usr/lib/postgresql/N/bin holding initdb, pg_ctl and psql.
    public static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { dir in
            ["initdb", "pg_ctl", "psql"].allSatisfy { FileManager.default.isExecutableFile(atPath: dir + "/" + $0) }
        }
    }()

    /// Whether a suite on the cluster runs: the binaries exist, or CI requires them (and fails without).
    public static var available: Bool { binDirectory != nil || required }

    /// scripts/pg-cluster.sh of this checkout (this file is Tests/TestSupport/PostgresCluster.swift).
    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pg-cluster.sh").path
    }

    /// The suite's cluster, started by its `.postgresCluster` trait.
    public static func running() throws -> PostgresCluster {
        guard let cluster = current else { throw TestError("no PostgreSQL cluster: the suite's .postgresCluster trait did not start one") }
        return cluster
    }

    public static func start() async throws -> PostgresCluster {
        guard let bin = binDirectory else {
            throw TestError("BEDSIDE_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        }
        let folder = try TempDirectory(prefix: "bedside-pg")
        var environment = ProcessInfo.processInfo.environment
        environment["PG_CLUSTER_FAST"] = environment["PG_CLUSTER_FAST"] ?? "1" // fsync off: tests kill gateways, never the server
        let r = try await runScript(["start", folder.path], environment: environment)
        guard r.status == 0,
            let url = r.stdout.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
                .last(where: { $0.hasPrefix("postgres://") }),
            let port = URLComponents(string: url)?.port
        else {
            folder.cleanup()
            throw TestError("scripts/pg-cluster.sh start failed (\(r.status)): \(r.stdout) \(r.stderr)")
        }
        return PostgresCluster(folder: folder, url: url, port: port, bin: bin)
    }

    /// Runs scripts/pg-cluster.sh with every inherited descriptor above 2 closed first.
    ///
    /// Foundation's `Process` learns that a child exited when the socket it hands the child
    /// reaches end of file; `pg_ctl start` leaves a server running that would inherit that
    /// socket and hold it open, so the script's exit would never be noticed.
    public static func runScript(_ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessOutput {
        let closeAndRun = #"for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; exec /bin/bash "$0" "$@""#
        return try await ChildProcess.run("/bin/bash", ["-c", closeAndRun, script] + arguments, environment: environment, timeout: .seconds(120))
    }

    public func stop() async {
        let r = try? await Self.runScript(["stop", folder.path])
        if r?.status != 0 { print("scripts/pg-cluster.sh stop: \(r?.stdout ?? "") \(r?.stderr ?? "did not finish")") }
        folder.cleanup()
    }

    /// Runs `sql` with psql against `database` (a URL).
    public func psql(_ database: String, _ sql: String) async throws -> ProcessOutput {
        try await ChildProcess.run(bin + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], timeout: .seconds(60))
    }

    /// `CREATE DATABASE` with a fresh name starting with `name` ([a-z0-9_] only); returns its URL.
    public func createDatabase(named name: String) async throws -> String {
        let database = "bedside_\(name)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
        let r = try await psql(url, "CREATE DATABASE \(database)")
        guard r.status == 0 else { throw TestError("CREATE DATABASE \(database) failed: \(r.stderr)") }
        guard var components = URLComponents(string: url) else { throw TestError("cannot parse \(url)") }
        components.path = "/" + database
        guard let result = components.string else { throw TestError("cannot build a URL from \(url)") }
        return result
    }
}

/// Starts the cluster once around the whole suite and stops it after the last test.
public struct PostgresClusterTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let cluster = try await PostgresCluster.start()
        do {
            try await PostgresCluster.$current.withValue(cluster) { try await function() }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// One throwaway PostgreSQL cluster for the suite (`PostgresCluster.current`).
    public static var postgresCluster: Self { Self() }
}
