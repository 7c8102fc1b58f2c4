import Foundation
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import Testing

/// The suite's cluster is TestSupport's `PostgresCluster` (`.postgresCluster` trait); the
/// store's tests add a direct PostgresNIO connection to it.
typealias PostgresTestCluster = PostgresCluster

extension PostgresCluster {
    /// A new empty database on the cluster; returns its URL.
    func freshDatabase() async throws -> String { try await createDatabase(named: "t") }

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
