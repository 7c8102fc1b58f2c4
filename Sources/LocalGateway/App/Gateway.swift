import Core
import Foundation
import Hummingbird
import Logging
import NIOCore
import SQLiteStore
import SharedState

/// The gateway's parts, built once and shared by every request: token verification, rate
/// limits, the response cache, the inference behind its timeout and circuit breaker,
/// metrics and the log.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    /// Documents and passages (the source viewer's lookups); always this machine's SQLite file.
    public let database: BedsideDatabase
    /// The shared state: audit trail, answers and history, response cache, tokens, and
    /// (when the store keeps them) rate-limit buckets. The SQLite file itself by default, or
    /// PostgreSQL shared by several gateways (`[store] url`).
    public let state: any GatewayStateStore
    /// Inference as the routes call it: the given service inside a total timeout, inside the circuit breaker.
    public let inference: any InferenceService
    public let breaker: CircuitBreaker
    public let verifier: TokenVerifier
    public let issuer: TokenIssuer
    public let rateLimiter: RateLimiter
    public let metrics: GatewayMetrics
    public let logger: Logger
    let cache: ResponseCache
    let statusCache: StatusCache
    let clock: GatewayClock
    /// Revoked tokens, re-read from the database at most every half second.
    let revocations: RevocationList
    /// Each subject's own record of answers served to them from the cache.
    let ownership: AnswerOwnership

    /// - Parameters:
    ///   - state: the shared state; nil keeps it in `database`.
    ///   - inference: in-process (`Pipeline`) or `RemoteInferenceService`.
    ///   - clock: time source (tests pass a manual clock).
    ///   - metrics: the registry `/metrics` renders (one per gateway; no global bootstrap).
    public init(
        configuration: GatewayConfiguration, database: BedsideDatabase, state: (any GatewayStateStore)? = nil,
        inference: any InferenceService, logger: Logger, clock: GatewayClock = .system, metrics: GatewayMetrics = GatewayMetrics()
    ) async throws {
        try configuration.validate()
        let state = state ?? database
        self.configuration = configuration
        self.database = database
        self.state = state
        self.logger = logger
        self.clock = clock
        self.metrics = metrics
        let secretPath = configuration.resolvedSecretPath(databasePath: database.path)
        let secret = try TokenIssuer.loadOrCreateSecret(path: secretPath)
        try await SecretFingerprint.check(secret, secretPath: secretPath, state: state)
        self.issuer = TokenIssuer(
            secret: secret, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience,
            database: state, clock: clock.now)
        let revocations = RevocationList(database: state, uptime: clock.uptime)
        await revocations.refresh()
        self.revocations = revocations
        self.ownership = AnswerOwnership(database: state, capacity: max(256, configuration.lruSize * 4), now: clock.now)
        self.verifier = try await TokenVerifier.make(configuration: configuration, secret: secret, clock: clock, revocations: revocations)
        if !verifier.keys.skipped.isEmpty {
            logger.warning("JWKS keys skipped (only P-256 EC and RSA signing keys are used)", metadata: ["kids": "\(verifier.keys.skipped)"])
        }
        self.rateLimiter = RateLimiter(
            capacity: configuration.rateLimitCapacity, refillPerSecond: configuration.rateLimitRefillPerSecond,
            uptime: clock.uptime, shared: state.sharedRateLimits, logger: logger)
        let breaker = CircuitBreaker(
            failureThreshold: configuration.circuitFailureThreshold,
            coolDown: .seconds(from: configuration.circuitCoolDown), uptime: clock.uptime)
        self.breaker = breaker
        let timed = DeadlineInference(
            base: inference, answerTimeout: .seconds(from: configuration.inferenceTimeout),
            statusTimeout: .seconds(from: configuration.statusTimeout), sleep: clock.sleep)
        let routed = CircuitBreakingInference(base: timed, breaker: breaker)
        self.inference = routed
        self.cache = ResponseCache(database: state, lruSize: configuration.lruSize, ttl: configuration.cacheTTL, now: clock.now, logger: logger)
        self.statusCache = StatusCache(ttl: .seconds(from: configuration.statusCacheTTL), uptime: clock.uptime) { try await routed.status() }
    }

    /// The router with every route and middleware. The routes are registered once without the
    /// request log to read back the table its 404/405 answers need, then again behind it.
    public func makeRouter() -> Router<GatewayRequestContext> {
        let routes = RouteTable(registered: makeRouter(log: nil).routes)
        return makeRouter(log: RequestLogMiddleware(gateway: self, routes: routes))
    }

    private func makeRouter(log: RequestLogMiddleware?) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        if let log { router.add(middleware: log) }
        HealthRoutes(gateway: self).register(on: router)
        let v1 = router.group("v1")
            .add(middleware: AuthMiddleware(verifier: verifier, metrics: metrics))
            .add(middleware: RateLimitMiddleware(limiter: rateLimiter, metrics: metrics))
        let query = QueryRoute(gateway: self)
        v1.post("query") { request, context in try await query.handle(request, context: context) }
        LookupRoutes(gateway: self).register(on: v1)
        AnswerListRoute(gateway: self).register(on: v1)
        AuditRoute(gateway: self).register(on: v1)
        return router
    }

    /// The Hummingbird application listening on the configured host and port, through the
    /// HTTP edge (timeouts, connection cap, lingering close, framing errors as JSON) and TLS
    /// when configured (a certificate that cannot be read fails the start).
    public func makeApplication(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        // Hummingbird's own info lines ("Server started and listening on …", "Shutting down")
        // would repeat the gateway's "listening" and "gateway stopped": it logs notices and up.
        var frameworkLogger = logger
        frameworkLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: makeRouter(),
            server: GatewayServer.builder(configuration: configuration, logger: logger, fastPath: CachedQueryFastPath(gateway: self)),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                backlog: min(max(256, configuration.maxConnections), 4096)),
            onServerRunning: onServerRunning, logger: frameworkLogger)
    }
}
