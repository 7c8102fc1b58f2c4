import Core
import Foundation
import Logging
import PostgresNIO
import Store

/// The gateway's shared state in one PostgreSQL database, so that several `bedside serve`
/// instances behind a load balancer keep one audit chain, one history per clinician, one
/// response cache, one revocation list and one token bucket per subject.
///
/// Open it with `connect(url:logger:)`, which checks the server can be reached, starts the
/// connection pool's `run()` in a task this object owns and applies the schema migrations;
/// `closeState()` stops the pool. Every statement binds its values (`PostgresQuery`
/// interpolation); no value is ever spliced into SQL text.
public final class PostgresGatewayState: GatewayStateStore, SharedRateLimitStore {
    let client: PostgresClient
    let target: PostgresTarget
    let logger: Logger
    private let runTask: Task<Void, Never>
    /// Group commit of this process's concurrent audit appends.
    let auditWriter: PostgresAuditWriter

    private init(client: PostgresClient, target: PostgresTarget, logger: Logger, runTask: Task<Void, Never>) {
        self.client = client
        self.target = target
        self.logger = logger
        self.runTask = runTask
        self.auditWriter = PostgresAuditWriter(client: client, target: target, logger: logger)
    }

    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, `?host=/socket/dir`,
    /// `?sslmode=disable|prefer|require`), migrates the schema, and returns the store.
    /// Fails with a `BedsideError(.database)` naming the server (never the password) when the URL
    /// is wrong, the server cannot be reached or refuses the user.
    public static func connect(url: String, logger: Logger = Logger(label: "bedside.postgres")) async throws -> PostgresGatewayState {
        let target = try PostgresTarget(url: url)
        // One direct connection first, which also migrates: the pool retries failed connects in
        // the background and would make a caller wait; this fails at once with the reason.
        do {
            let connection = try await PostgresConnection.connect(configuration: target.connectionConfiguration, id: 0, logger: logger)
            do {
                try await PostgresMigrations.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            throw target.mapError(error)
        }
        let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let state = PostgresGatewayState(client: client, target: target, logger: logger, runTask: runTask)
        return state
    }

    /// The URL without its password.
    public var stateDescription: String { target.description }

    public var sharedRateLimits: (any SharedRateLimitStore)? { self }

    /// The schema migrations applied, in order.
    public func appliedMigrations() async throws -> [String] {
        try await run { client in try await PostgresMigrations.applied(client, logger: self.logger) }
    }

    /// Stops the connection pool (queries after this fail).
    public func closeState() async throws {
        runTask.cancel()
        await runTask.value
    }

    /// Runs `body` with the client, mapping failures to errors a user can act on.
    @discardableResult
    func run<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        do { return try await body(client) } catch { throw target.mapError(error) }
    }

    /// Runs `body` in one transaction, mapping failures.
    @discardableResult
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw target.mapError(error)
        }
    }

    deinit {
        runTask.cancel()
    }
}
