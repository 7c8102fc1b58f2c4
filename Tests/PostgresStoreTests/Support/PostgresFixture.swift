import Foundation
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import Testing

/// A throwaway loopback PostgreSQL cluster (`scripts/pg-cluster.sh start DIR`), one for the
/// suite; each test gets a database of its own (`freshDatabase()`), so tests run in parallel.
struct PostgresTestCluster: Sendable {
    let folder: TempDirectory
    /// The `postgres://bedside@127.0.0.1:PORT/bedside` URL the script printed.
    let url: String
    let port: Int

    @TaskLocal static var current: PostgresTestCluster?

    /// The newest /usr/lib/postgresql/N/bin holding initdb and pg_ctl.
    static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { dir in
            ["initdb", "pg_ctl"].allSatisfy { FileManager.default.isExecutableFile(atPath: dir + "/" + $0) }
        }
    }()

    /// With BEDSIDE_REQUIRE_POSTGRES=1 (CI) the suite runs, and fails, when the binaries are missing.
    static var required: Bool { ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_POSTGRES"] == "1" }

    static var available: Bool { binDirectory != nil || required }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/pg-cluster.sh").path
    }

    static func running() throws -> PostgresTestCluster {
        guard let cluster = current else { throw TestError("no PostgreSQL cluster: the suite's .postgresCluster trait did not start one") }
        return cluster
    }

    static func start() async throws -> PostgresTestCluster {
        guard binDirectory != nil else {
            throw TestError("BEDSIDE_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries in /usr/lib/postgresql/*/bin")
        }
        let folder = try TempDirectory(prefix: "bedside-pgstore")
        var environment = ProcessInfo.processInfo.environment
        environment["PG_CLUSTER_FAST"] = environment["PG_CLUSTER_FAST"] ?? "1" // fsync off: nothing here kills the server
        let r = try await ChildProcess.run("/bin/bash", [script, "start", folder.path], environment: environment, timeout: .seconds(120))
        guard r.status == 0,
            let url = r.stdout.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
                .last(where: { $0.hasPrefix("postgres://") }),
            let port = URLComponents(string: url)?.port
        else {
            folder.cleanup()
            throw TestError("scripts/pg-cluster.sh start failed (\(r.status)): \(r.stdout) \(r.stderr)")
        }
        return PostgresTestCluster(folder: folder, url: url, port: port)
    }

    func stop() async {
        let r = try? await ChildProcess.run("/bin/bash", [Self.script, "stop", folder.path], timeout: .seconds(60))
        if r?.status != 0 { print("scripts/pg-cluster.sh stop: \(r?.stdout ?? "") \(r?.stderr ?? "did not finish")") }
        folder.cleanup()
    }

    /// A new empty database on the cluster; returns its URL.
    func freshDatabase() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await Self.withSuperuser(url: url) { connection in
            // Identifiers cannot be bound; the name is made here of [a-z0-9_] only.
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
        }
        return "postgres://bedside@127.0.0.1:\(port)/\(name)"
    }

    static let logger = Logger(label: "bedside.test.postgres")

    /// A direct connection as the cluster's superuser (to tamper with rows the store never edits).
    @discardableResult
    static func withSuperuser<T: Sendable>(url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        guard let c = URLComponents(string: url), let port = c.port, let user = c.user else { throw TestError("bad URL \(url)") }
        let database = String(c.path.dropFirst())
        let config = PostgresConnection.Configuration(
            host: "127.0.0.1", port: port, username: user, password: nil, database: database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// Starts the cluster once around the whole suite and stops it after the last test.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let cluster = try await PostgresTestCluster.start()
        do {
            try await PostgresTestCluster.$current.withValue(cluster) { try await function() }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// One throwaway PostgreSQL cluster for the suite (`PostgresTestCluster.current`).
    static var postgresCluster: Self { Self() }
}

/// Opens `count` stores on one fresh database (as `count` gateways would), runs `body`, closes them.
func withStores<T: Sendable>(_ count: Int = 1, _ body: ([PostgresGatewayState]) async throws -> T) async throws -> T {
    let url = try await PostgresTestCluster.running().freshDatabase()
    var stores: [PostgresGatewayState] = []
    for _ in 0..<count { stores.append(try await PostgresGatewayState.connect(url: url, logger: PostgresTestCluster.logger)) }
    do {
        let result = try await body(stores)
        for s in stores { try await s.closeState() }
        return result
    } catch {
        for s in stores { try? await s.closeState() }
        throw error
    }
}
