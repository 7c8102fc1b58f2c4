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

    /// Caps on a gRPC RAG peer's reply (`serve --inference grpc://…`; RAGGRPC's `PeerReplyLimits`,
    /// same defaults): answer bytes, citations, bytes per citation. Over any: 502 `upstream_error`.
    public var peerAnswerBytes: Int = 8 * 1024
    public var peerCitations: Int = 20
    public var peerCitationBytes: Int = 16 * 1024

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
    /// Where the shared state lives: nil keeps it in the SQLite database file; a
    /// `postgres://` URL shares it between several gateways (`[store] url`).
    public var storeURL: String?
    /// Optional JWKS file with ES256/RS256 public keys, chosen by `kid`.
    public var jwksPath: String?
    /// Verified tokens remembered (by SHA-256 of the token) so that a repeated token is
    /// not verified again; claims are still re-checked against the clock.
    public var verifiedTokenCacheSize: Int = 4096
    /// Lifetime of the token the embedded gateway mints for the local user.
    public var embeddedTokenTTL: TimeInterval = 12 * 3600
    /// Longest token lifetime accepted (`exp` − `iat`); `serve --max-ttl` raises it.
    public var maxTokenTTL: TimeInterval = 30 * 86_400
    /// Lifetime of `bedside token create` tokens when `--ttl` is not given.
    public static let defaultTokenTTL: TimeInterval = 12 * 3600
    /// The most `--max-ttl` can allow.
    public static let maxTokenTTLCeiling: TimeInterval = 366 * 86_400

    public var logLevel: Logger.Level = .info
    /// Put question text in the request log (off by default: questions may name patients).
    public var logQuestions: Bool = false
    /// Plain cache hits answered on the event loop (`CachedQueryFastPath`); off sends every
    /// request through the router (for comparisons; the two answer alike).
    public var cachedFastPath: Bool = true

    /// Upper bound on draining in-flight requests at shutdown before they are cancelled.
    public var shutdownGracePeriod: TimeInterval = 30

    // MARK: Transport (the HTTP edge and TLS)

    /// A request's head must arrive within this long of its first byte (408, then closed).
    public var headerReadTimeout: TimeInterval = 10
    /// A request's body must arrive within this long of its head (408, then closed).
    public var bodyReadTimeout: TimeInterval = 30
    /// A kept-alive connection with no request in flight is closed after this long.
    public var idleTimeout: TimeInterval = 75
    /// Connections open at once; one more gets 503 and is closed.
    public var maxConnections: Int = 1024
    /// Largest request head (request line plus headers); 431 above it.
    public var maxHeaderBytes: Int = 32 * 1024
    /// After answering a request that was not read whole (413, 401, 408, …): how long the
    /// rest is read and thrown away so the client can read the answer, before closing.
    public var lingerTimeout: TimeInterval = 2
    /// …and how many bytes at most.
    public var lingerBytes: Int = 16 << 20
    /// PEM certificate chain; with `tlsKeyPath`, the gateway speaks HTTPS only.
    public var tlsCertificatePath: String?
    /// PEM private key for `tlsCertificatePath`.
    public var tlsKeyPath: String?
    /// Allow plain HTTP on an address other than loopback (tokens and questions in clear text).
    public var insecureHTTP: Bool = false

    /// Whether the gateway serves HTTPS.
    public var tlsEnabled: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }

    public init() {}

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
        // The transport settings: timeouts, connection cap, and TLS (both files or neither).
        guard headerReadTimeout > 0, bodyReadTimeout > 0, idleTimeout > 0, lingerTimeout > 0 else {
            throw fail("The header, body, idle and linger timeouts must be above zero.")
        }
        guard maxConnections >= 1 else { throw fail("The connection cap must be at least 1.") }
        guard maxHeaderBytes >= 1024 else { throw fail("The header size limit must be at least 1 KiB.") }
        guard maxHeaderBytes > maxTokenBytes else {
            throw fail("The header size limit (\(maxHeaderBytes) bytes) must be above the token size limit (\(maxTokenBytes) bytes).")
        }
        guard lingerBytes >= 0 else { throw fail("The linger byte limit cannot be negative.") }
        switch (tlsCertificatePath, tlsKeyPath) {
        case (nil, nil), (.some, .some): break
        case (.some, nil): throw fail("--tls-cert needs --tls-key (the certificate's private key).")
        case (nil, .some): throw fail("--tls-key needs --tls-cert (the certificate chain).")
        }
        guard maxTokenTTL >= 60, maxTokenTTL <= Self.maxTokenTTLCeiling else {
            throw fail("The maximum token lifetime must be between 1 minute and 366 days.")
        }
    }

    /// Refuses plain HTTP on an address other than loopback unless `insecureHTTP` says so
    /// (checked when the server starts, once the host and TLS settings are final).
    public func validateExposure() throws {
        if !tlsEnabled && !insecureHTTP && !Self.isLoopback(host) {
            throw BedsideError(
                .config,
                "Refusing to serve plain HTTP on \(host): bearer tokens and questions would cross the network in clear text. Give --tls-cert and --tls-key (or BEDSIDE_TLS_CERT and BEDSIDE_TLS_KEY), or --insecure-http to accept that."
            )
        }
    }

    /// Whether `host` names only this machine (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
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
