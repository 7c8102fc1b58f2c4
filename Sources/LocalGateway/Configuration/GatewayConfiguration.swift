import Core
import Foundation
import Logging

/// Everything `bedside serve` can tune. The defaults suit one clinician on a laptop.
public struct GatewayConfiguration: Sendable {
    /// Interface to bind; loopback by default so the gateway is not reachable from the network.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (the embedded gateway does this).
    public var port: Int = 8787

    /// How long a cached answer is served fresh.
    public var cacheTTL: TimeInterval = 6 * 3600
    /// Entries kept in the in-memory LRU in front of the SQLite cache.
    public var lruSize: Int = 512
    /// How long `inference.status()` (index version and model, part of the cache key) is reused.
    public var statusCacheTTL: TimeInterval = 1

    /// Token-bucket capacity per subject (the burst allowed).
    public var rateLimitCapacity: Double = 120
    /// Tokens added per second per subject.
    public var rateLimitRefillPerSecond: Double = 2

    /// Largest request body accepted (413 above it).
    public var bodyLimit: Int = 64 * 1024

    /// Total time allowed for one answer (retrieval plus generation).
    public var inferenceTimeout: TimeInterval = 60
    /// Time allowed for `status()` (used by `/readyz` and cache keys).
    public var statusTimeout: TimeInterval = 5
    /// Connect timeout for a remote inference node.
    public var inferenceConnectTimeout: TimeInterval = 2
    /// Consecutive inference failures that open the circuit breaker.
    public var circuitFailureThreshold: Int = 5
    /// How long the circuit stays open before one probe is let through.
    public var circuitCoolDown: TimeInterval = 10
    /// `retry_after` advertised with a 503 when no better estimate is known.
    public var defaultRetryAfter: Int = 5

    /// Expected `iss` of every token.
    public var jwtIssuer: String = "bedside"
    /// Expected `aud` of every token.
    public var jwtAudience: String = "bedside-gateway"
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    public var jwtLeeway: TimeInterval = 10
    /// Largest token accepted, in bytes.
    public var maxTokenBytes: Int = 8 * 1024
    /// The HS256 secret file; nil means `gateway-secret` next to the database.
    public var secretPath: String?
    /// Optional JWKS file with ES256/RS256 public keys, chosen by `kid`.
    public var jwksPath: String?
    /// Verify HS256 with a direct HMAC after strict header parsing instead of through
    /// jwt-kit (both give the same verdicts; the direct path is several times faster).
    public var jwtFastPath: Bool = true
    /// Verified tokens remembered (by SHA-256 of the token) so that a repeated token is
    /// not verified again; claims are still re-checked against the clock.
    public var verifiedTokenCacheSize: Int = 4096
    /// Lifetime of the token the embedded gateway mints for the local user.
    public var embeddedTokenTTL: TimeInterval = 12 * 3600

    public var logLevel: Logger.Level = .info
    /// Put question text in the request log (off by default: questions may name patients).
    public var logQuestions: Bool = false

    /// Upper bound on draining in-flight requests at shutdown before they are cancelled.
    public var shutdownGracePeriod: TimeInterval = 30

    public init() {}

    /// The defaults overridden by `BEDSIDE_*` environment variables (see docs/api.md), so
    /// that `bedside serve` and the benchmark can tune limits without new flags.
    public init(environment: [String: String]) throws {
        self.init()
        func value(_ name: String) -> String? {
            guard let v = environment[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func number(_ name: String) throws -> Double? {
            guard let v = value(name) else { return nil }
            guard let d = Double(v), d.isFinite, d >= 0 else {
                throw BedsideError(.config, "\(name) must be a non-negative number (got \"\(v)\").")
            }
            return d
        }
        func duration(_ name: String) throws -> TimeInterval? {
            guard let v = value(name) else { return nil }
            do { return try parseDuration(v) } catch {
                throw BedsideError(.config, "\(name) must be a duration like 90s, 30m, 8h or 2d (got \"\(v)\").")
            }
        }
        if let v = value("BEDSIDE_HOST") { host = v }
        if let v = try number("BEDSIDE_PORT") { port = Int(v) }
        if let v = try duration("BEDSIDE_CACHE_TTL") { cacheTTL = v }
        if let v = try number("BEDSIDE_CACHE_LRU_SIZE") { lruSize = Int(v) }
        if let v = try number("BEDSIDE_RATE_LIMIT_CAPACITY") { rateLimitCapacity = v }
        if let v = try number("BEDSIDE_RATE_LIMIT_REFILL") { rateLimitRefillPerSecond = v }
        if let v = try duration("BEDSIDE_INFERENCE_TIMEOUT") { inferenceTimeout = v }
        if let v = value("BEDSIDE_JWT_ISSUER") { jwtIssuer = v }
        if let v = value("BEDSIDE_JWT_AUDIENCE") { jwtAudience = v }
        if let v = value("BEDSIDE_SECRET_FILE") { secretPath = v }
        if let v = value("BEDSIDE_JWKS") { jwksPath = v }
        if let v = value("BEDSIDE_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: v.lowercased()) else {
                throw BedsideError(.config, "BEDSIDE_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical (got \"\(v)\").")
            }
            logLevel = level
        }
        if let v = value("BEDSIDE_LOG_QUESTIONS") { logQuestions = ["1", "true", "yes", "on"].contains(v.lowercased()) }
        if let v = value("BEDSIDE_JWT_FAST_PATH") { jwtFastPath = !["0", "false", "no", "off"].contains(v.lowercased()) }
        try validate()
    }

    /// Refuses settings that cannot work, with a message naming the setting.
    public func validate() throws {
        func fail(_ message: String) -> BedsideError { BedsideError(.config, message) }
        guard (0...65_535).contains(port) else { throw fail("The port must be between 0 and 65535 (got \(port)).") }
        guard rateLimitCapacity >= 1 else { throw fail("The rate-limit capacity must be at least 1.") }
        guard rateLimitRefillPerSecond > 0 else { throw fail("The rate-limit refill rate must be above 0 per second.") }
        guard lruSize >= 0 else { throw fail("The LRU size cannot be negative.") }
        guard bodyLimit >= 1024 else { throw fail("The body limit must be at least 1 KiB.") }
        guard inferenceTimeout > 0, statusTimeout > 0 else { throw fail("Timeouts must be above zero.") }
        guard circuitFailureThreshold >= 1 else { throw fail("The circuit-breaker threshold must be at least 1.") }
        guard maxTokenBytes >= 256 else { throw fail("The token size limit must be at least 256 bytes.") }
        guard !jwtIssuer.isEmpty, !jwtAudience.isEmpty else { throw fail("The JWT issuer and audience cannot be empty.") }
    }

    /// The HS256 secret file used with `database`: the configured path, or `gateway-secret`
    /// in the database's folder (so `bedside token create --db X` and `bedside serve --db X` agree).
    public func resolvedSecretPath(databasePath: String) -> String {
        if let secretPath, !secretPath.isEmpty { return (secretPath as NSString).expandingTildeInPath }
        return Self.defaultSecretPath(databasePath: databasePath)
    }

    /// `gateway-secret` next to the database file.
    public static func defaultSecretPath(databasePath: String) -> String {
        let dir = (databasePath as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "." : dir) + "/gateway-secret"
    }
}
