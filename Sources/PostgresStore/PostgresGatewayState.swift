import Core
import Foundation
import Logging
import PostgresNIO
import SharedState

/// The gateway's shared state in one PostgreSQL database, so that several `bedside serve`
/// instances behind a load balancer keep one audit chain, one history per clinician, one
/// response cache, one revocation list and one token bucket per subject.
///
/// Open it with `connect(url:logger:)`, which checks the server can be reached, starts the
/// connection pool's `run()` in a task this object owns and applies the schema migrations (unless told not to);
/// `closeState()` stops the pool. Every statement binds its values (`PostgresQuery`
/// interpolation); no value is ever spliced into SQL text.
public final class PostgresGatewayState: GatewayStateStore, SharedRateLimitStore {
    let client: PostgresClient
    let target: PostgresTarget
    let logger: Logger
    /// How long one statement or transaction may take, lease included, before it fails.
    let operationTimeout: Duration
    private let runTask: Task<Void, Never>
    /// Group commit of this process's concurrent audit appends.
    let auditWriter: PostgresAuditWriter
    /// When the server last proved unreachable, and how. For `failFastWindow` after that,
    /// statements fail at once with the same error instead of each waiting out its deadline:
    /// a request makes several calls, and a clinician should hear "try again" in seconds.
    private let outage = Locked<(at: ContinuousClock.Instant, error: BedsideError)?>(nil)
    let failFastWindow: Duration
    /// Statements refused by the window (for tests and the log).
    let failedFast = Locked(0)

    private init(
        client: PostgresClient, target: PostgresTarget, logger: Logger, runTask: Task<Void, Never>, operationTimeout: Duration,
        failFastWindow: Duration
    ) {
        self.failFastWindow = failFastWindow
        self.client = client
        self.operationTimeout = operationTimeout
        self.target = target
        self.logger = logger
        self.runTask = runTask
        self.auditWriter = PostgresAuditWriter(client: client, target: target, logger: logger, timeout: operationTimeout)
    }

    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, `?host=/socket/dir`,
    /// `?sslmode=disable|prefer|require`), migrates the schema, and returns the store.
    /// Fails with a `BedsideError(.database)` naming the server (never the password) when the URL
    /// is wrong, the server cannot be reached or refuses the user.
    /// `operationTimeout` bounds each statement or transaction, waiting for a connection included.
    /// `migrate: false` changes nothing on the server (`bedside doctor` only looks).
    public static func connect(
        url: String, logger: Logger = Logger(label: "bedside.postgres"), operationTimeout: Duration = .seconds(5),
        failFastWindow: Duration = .seconds(1), migrate: Bool = true
    ) async throws -> PostgresGatewayState {
        let target = try PostgresTarget(url: url)
        // One direct connection first, which also migrates: the pool retries failed connects in
        // the background and would make a caller wait; this fails at once with the reason.
        do {
            // Bounded as a whole: a server that accepts the connection and never answers must not hang the start.
            try await withDeadline(max(operationTimeout * 3, .seconds(15)), place: target.place) {
                let connection = try await PostgresConnection.connect(configuration: target.connectionConfiguration, id: 0, logger: logger)
                do {
                    if migrate { try await PostgresMigrations.migrate(connection, logger: logger) }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            }
        } catch {
            throw target.mapError(error)
        }
        let client = PostgresClient(configuration: target.clientConfiguration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        return PostgresGatewayState(
            client: client, target: target, logger: logger, runTask: runTask, operationTimeout: operationTimeout,
            failFastWindow: failFastWindow)
    }

    /// The URL without its password.
    public var stateDescription: String { target.description }

    public var sharedRateLimits: (any SharedRateLimitStore)? { self }

    /// The schema migrations applied, in order.
    public func appliedMigrations() async throws -> [String] {
        try await rows("SELECT version FROM schema_migrations ORDER BY applied_at, version", String.self)
    }

    /// Stores `fingerprint` as the token secret's when none is stored (the first gateway to
    /// start wins, atomically), and returns the stored one.
    public func claimTokenSecretFingerprint(_ fingerprint: String) async throws -> String? {
        let logger = self.logger
        return try await transaction { connection in
            try await connection.query(
                "INSERT INTO gateway_meta(key, value) VALUES ('token_secret_fingerprint', \(fingerprint)) ON CONFLICT (key) DO NOTHING",
                logger: logger)
            var stored: String?
            let rows = try await connection.query("SELECT value FROM gateway_meta WHERE key = 'token_secret_fingerprint'", logger: logger)
            for try await value in rows.decode(String.self) { stored = value }
            return stored
        }
    }

    /// Stops the connection pool (queries after this fail).
    public func closeState() async throws {
        runTask.cancel()
        await runTask.value
    }

    /// Runs `body` with the client within `operationTimeout`, mapping failures to errors a
    /// user can act on. Without the deadline a lease would wait for the pool's circuit breaker
    /// (a minute) while the server is down.
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = self.client
        try failFastDuringOutage()
        do {
            let value = try await withDeadline { try await body(client) }
            noteReachable()
            return value
        } catch {
            throw noteOutage(target.mapError(error))
        }
    }

    /// Every row `query` returns, decoded as `columns` (through `run`).
    func rows<each Column: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, _ columns: (repeat each Column).Type
    ) async throws -> [(repeat each Column)] {
        let logger = self.logger
        return try await run { client in try await client.query(query, logger: logger).collect().map { try $0.decode(columns) } }
    }

    /// Throws the outage's error while the server is known to be unreachable.
    func failFastDuringOutage() throws {
        let now = ContinuousClock.now
        if let known = outage.withLock({ $0 }), now - known.at < failFastWindow {
            failedFast.withLock { $0 += 1 }
            throw known.error
        }
    }

    /// Remembers an unreachable server (`database_unavailable`); returns `error` unchanged.
    func noteOutage(_ error: any Error) -> any Error {
        if let e = error as? BedsideError, e.code == .databaseUnavailable {
            outage.withLock { $0 = (ContinuousClock.now, e) }
        }
        return error
    }

    /// The server answered: statements go through again.
    func noteReachable() { outage.withLock { $0 = nil } }

    /// Runs `body` in one transaction within `operationTimeout`, mapping failures.
    @discardableResult
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await run { client in try await client.withTransaction(logger: logger) { connection in try await body(connection) } }
    }

    func withDeadline<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Self.withDeadline(operationTimeout, place: target.place, operation)
    }

    /// `operation`'s result, or a `BedsideError(.database)` when it takes longer than `timeout`.
    ///
    /// The caller is answered at the deadline even when the operation cannot stop at once (a
    /// statement waiting on a lock in the server ignores task cancellation): the operation runs
    /// in a task of its own, cancelled at the deadline, and finishes in the background.
    static func withDeadline<T: Sendable>(
        _ timeout: Duration, place: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let gate = Locked<CheckedContinuation<T, any Error>?>(nil)
        let tasks = Locked<(work: Task<Void, Never>, timer: Task<Void, Never>)?>(nil)
        // Delivers the first result only; later ones (the timer after the work, or the reverse) are dropped.
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            gate.withLock { c in
                defer { c = nil }
                return c
            }?.resume(with: result)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                gate.withLock { $0 = continuation }
                let work = Task {
                    do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
                    tasks.withLock { $0 }?.timer.cancel()
                }
                let timer = Task {
                    try? await Task.sleep(for: timeout)
                    if Task.isCancelled { return }
                    finish(
                        .failure(
                            BedsideError(
                                .databaseUnavailable, "PostgreSQL at \(place) did not answer within \(timeout.components.seconds) s.", retryAfter: 5))
                    )
                    work.cancel()
                }
                tasks.withLock { $0 = (work, timer) }
            }
        } onCancel: {
            tasks.withLock { $0 }?.work.cancel()
        }
    }

    deinit {
        runTask.cancel()
    }
}
