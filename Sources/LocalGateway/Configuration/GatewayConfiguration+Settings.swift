import Core
import Foundation
import Logging

/// Every gateway setting as a key of `config.toml` ([gateway], [cache], [limits], [auth], [tls], [store]),
/// a `BEDSIDE_*` variable, and (for some) a flag of `bedside serve`.
extension GatewayConfiguration {
    public enum Keys {
        public typealias K = ConfigKey
        // [gateway]
        public static let host = K(
            "gateway", "host", .string, env: ["BEDSIDE_HOST"], flag: "--host", help: "Interface to listen on (loopback by default).")
        public static let port = K(
            "gateway", "port", .integer(0...65_535), env: ["BEDSIDE_PORT"], flag: "--port", help: "TCP port (0 picks a free one).")
        public static let logLevel = K(
            "gateway", "log_level", .choice(Logger.Level.allCases.map(\.rawValue)), env: ["BEDSIDE_LOG_LEVEL"],
            help: "Request log level.")
        public static let logQuestions = K(
            "gateway", "log_questions", .bool, env: ["BEDSIDE_LOG_QUESTIONS"], flag: "--log-questions",
            help: "Put question text in the request log (questions may name patients).")
        public static let cachedFastPath = K(
            "gateway", "cached_fast_path", .bool, env: ["BEDSIDE_CACHED_FAST_PATH"],
            help: "Answer plain cache hits on the connection's event loop (same response, audit row and log; off: all through the router).")
        public static let headerTimeout = K(
            "gateway", "header_timeout", .duration, env: ["BEDSIDE_HEADER_TIMEOUT"],
            help: "A request head must arrive within this long (408, then closed).")
        public static let bodyTimeout = K(
            "gateway", "body_timeout", .duration, env: ["BEDSIDE_BODY_TIMEOUT"], help: "A request body must arrive within this long of its head.")
        public static let idleTimeout = K(
            "gateway", "idle_timeout", .duration, env: ["BEDSIDE_IDLE_TIMEOUT"], help: "Kept-alive connections with no request are closed after this."
        )
        public static let lingerTimeout = K(
            "gateway", "linger_timeout", .duration, env: ["BEDSIDE_LINGER_TIMEOUT"],
            help: "How long the unread rest of a refused request is drained before closing.")
        public static let inferenceTimeout = K(
            "gateway", "inference_timeout", .duration, env: ["BEDSIDE_INFERENCE_TIMEOUT"],
            help: "Time allowed for one answer (retrieval and generation).")
        public static let inferenceConnectTimeout = K(
            "gateway", "inference_connect_timeout", .duration, env: ["BEDSIDE_INFERENCE_CONNECT_TIMEOUT"],
            help: "Connect timeout for a remote inference node (`serve --inference`).")
        public static let statusTimeout = K(
            "gateway", "status_timeout", .duration, env: ["BEDSIDE_STATUS_TIMEOUT"],
            help: "Time allowed for the inference status (/readyz, cache keys).")
        public static let circuitFailures = K(
            "gateway", "circuit_failures", .integer(1...10_000), env: ["BEDSIDE_CIRCUIT_FAILURES"],
            help: "Consecutive inference failures that open the circuit breaker.")
        public static let circuitCoolDown = K(
            "gateway", "circuit_cool_down", .duration, env: ["BEDSIDE_CIRCUIT_COOL_DOWN"],
            help: "How long the circuit stays open before one probe goes through.")
        public static let retryAfter = K(
            "gateway", "retry_after", .integer(1...86_400), env: ["BEDSIDE_RETRY_AFTER"],
            help: "Seconds advertised with a 503 when nothing better is known.")
        public static let shutdownGrace = K(
            "gateway", "shutdown_grace", .duration, env: ["BEDSIDE_SHUTDOWN_GRACE"], help: "Longest drain of requests in flight at shutdown.")
        // [cache]
        public static let cacheTTL = K(
            "cache", "ttl", .duration, env: ["BEDSIDE_CACHE_TTL"], flag: "--cache-ttl", help: "How long a cached answer is fresh.")
        public static let lruSize = K(
            "cache", "lru_size", .integer(0...10_000_000), env: ["BEDSIDE_CACHE_LRU_SIZE"],
            help: "Answers kept in memory in front of the SQLite cache.")
        public static let statusCacheTTL = K(
            "cache", "status_ttl", .duration, env: ["BEDSIDE_STATUS_CACHE_TTL"],
            help: "How long the inference status (part of the cache key) is reused.")
        // [limits]
        public static let rateCapacity = K(
            "limits", "rate_capacity", .number(1...1e9), env: ["BEDSIDE_RATE_LIMIT_CAPACITY"], flag: "--rate-limit",
            help: "Token-bucket burst per subject (requests).")
        public static let rateRefill = K(
            "limits", "rate_refill", .number(1e-6...1e9), env: ["BEDSIDE_RATE_LIMIT_REFILL"], flag: "--rate-refill",
            help: "Token-bucket refill per subject (requests per second).")
        public static let maxConnections = K(
            "limits", "max_connections", .integer(1...1_000_000), env: ["BEDSIDE_MAX_CONNECTIONS"],
            help: "Connections open at once; one more gets 503.")
        public static let maxHeaderBytes = K(
            "limits", "max_header_bytes", .integer(1_024...16 << 20), env: ["BEDSIDE_MAX_HEADER_BYTES"],
            help: "Largest request head (431 above).")
        public static let bodyBytes = K(
            "limits", "body_bytes", .integer(1_024...1 << 30), env: ["BEDSIDE_BODY_LIMIT"], help: "Largest request body (413 above).")
        public static let lingerBytes = K(
            "limits", "linger_bytes", .integer(0...1 << 30), env: ["BEDSIDE_LINGER_BYTES"],
            help: "Most bytes of a refused request drained before closing.")
        public static let peerAnswerBytes = K(
            "limits", "peer_answer_bytes", .integer(256...16 << 20), env: ["BEDSIDE_PEER_ANSWER_BYTES"],
            help: "Largest answer a gRPC RAG peer may send (502 upstream_error above).")
        public static let peerCitations = K(
            "limits", "peer_citations", .integer(1...100_000), env: ["BEDSIDE_PEER_CITATIONS"],
            help: "Most citations in one gRPC RAG peer reply (502 upstream_error above).")
        public static let peerCitationBytes = K(
            "limits", "peer_citation_bytes", .integer(256...16 << 20), env: ["BEDSIDE_PEER_CITATION_BYTES"],
            help: "Largest citation (text, title, source id) a gRPC RAG peer may send (502 upstream_error above).")
        // [auth]
        public static let issuer = K("auth", "issuer", .string, env: ["BEDSIDE_JWT_ISSUER"], help: "Expected `iss` of every token.")
        public static let audience = K("auth", "audience", .string, env: ["BEDSIDE_JWT_AUDIENCE"], help: "Expected `aud` of every token.")
        public static let leeway = K("auth", "leeway", .duration, env: ["BEDSIDE_JWT_LEEWAY"], help: "Clock skew tolerated on exp, nbf and iat.")
        public static let secretFile = K(
            "auth", "secret_file", .string, env: ["BEDSIDE_SECRET_FILE"],
            help: "HS256 secret file (its path is shown, never its content); default gateway-secret next to the database.")
        public static let jwks = K(
            "auth", "jwks", .string, env: ["BEDSIDE_JWKS"], flag: "--jwks", help: "JWKS file of ES256/RS256 public keys, chosen by kid.")
        public static let verifiedTokenCache = K(
            "auth", "verified_token_cache", .integer(0...10_000_000), env: ["BEDSIDE_VERIFIED_TOKEN_CACHE"],
            help: "Verified tokens remembered (claims are still checked against the clock).")
        public static let maxTokenBytes = K(
            "auth", "max_token_bytes", .integer(256...1 << 20), env: ["BEDSIDE_MAX_TOKEN_BYTES"], help: "Largest token accepted.")
        public static let maxTokenTTL = K(
            "auth", "max_token_ttl", .duration, env: ["BEDSIDE_MAX_TOKEN_TTL"], flag: "--max-ttl",
            help: "Longest token lifetime accepted or minted (at most 366d).")
        public static let embeddedTokenTTL = K(
            "auth", "embedded_token_ttl", .duration, env: ["BEDSIDE_EMBEDDED_TOKEN_TTL"],
            help: "Lifetime of the token the embedded gateway mints for the local user.")
        // [tls]
        public static let tlsCert = K(
            "tls", "cert", .string, env: ["BEDSIDE_TLS_CERT"], flag: "--tls-cert", help: "PEM certificate chain: serve HTTPS only (with [tls] key).")
        public static let tlsKey = K(
            "tls", "key", .string, env: ["BEDSIDE_TLS_KEY"], flag: "--tls-key", help: "PEM private key file for [tls] cert (the path is shown).")
        // [store]
        public static let storeURL = K(
            "store", "url", .postgresURL, env: ["BEDSIDE_STORE_URL"], flag: "--store",
            help: "PostgreSQL for the shared state of several gateways (audit, history, cache, tokens, limits); unset: the SQLite file.")
        public static let insecureHTTP = K(
            "tls", "insecure_http", .bool, env: ["BEDSIDE_INSECURE_HTTP"], flag: "--insecure-http",
            help: "Allow plain HTTP on an address other than loopback.")
    }

    static let bindings: [ConfigBinding<GatewayConfiguration>] = [
        .string(Keys.host, \.host), .int(Keys.port, \.port), .choice(Keys.logLevel, \.logLevel), .bool(Keys.logQuestions, \.logQuestions),
        .bool(Keys.cachedFastPath, \.cachedFastPath),
        .duration(Keys.headerTimeout, \.headerReadTimeout), .duration(Keys.bodyTimeout, \.bodyReadTimeout),
        .duration(Keys.idleTimeout, \.idleTimeout),
        .duration(Keys.lingerTimeout, \.lingerTimeout), .duration(Keys.inferenceTimeout, \.inferenceTimeout),
        .duration(Keys.inferenceConnectTimeout, \.inferenceConnectTimeout), .duration(Keys.statusTimeout, \.statusTimeout),
        .int(Keys.circuitFailures, \.circuitFailureThreshold), .duration(Keys.circuitCoolDown, \.circuitCoolDown),
        .int(Keys.retryAfter, \.defaultRetryAfter),
        .duration(Keys.shutdownGrace, \.shutdownGracePeriod),
        .duration(Keys.cacheTTL, \.cacheTTL), .int(Keys.lruSize, \.lruSize), .duration(Keys.statusCacheTTL, \.statusCacheTTL),
        .double(Keys.rateCapacity, \.rateLimitCapacity), .double(Keys.rateRefill, \.rateLimitRefillPerSecond),
        .int(Keys.maxConnections, \.maxConnections),
        .int(Keys.maxHeaderBytes, \.maxHeaderBytes), .int(Keys.bodyBytes, \.bodyLimit), .int(Keys.lingerBytes, \.lingerBytes),
        .int(Keys.peerAnswerBytes, \.peerAnswerBytes), .int(Keys.peerCitations, \.peerCitations),
        .int(Keys.peerCitationBytes, \.peerCitationBytes),
        .string(Keys.issuer, \.jwtIssuer), .string(Keys.audience, \.jwtAudience), .duration(Keys.leeway, \.jwtLeeway),
        .optionalString(Keys.secretFile, \.secretPath), .optionalString(Keys.jwks, \.jwksPath),
        .int(Keys.verifiedTokenCache, \.verifiedTokenCacheSize), .int(Keys.maxTokenBytes, \.maxTokenBytes),
        .duration(Keys.maxTokenTTL, \.maxTokenTTL),
        .duration(Keys.embeddedTokenTTL, \.embeddedTokenTTL),
        .optionalString(Keys.tlsCert, \.tlsCertificatePath), .optionalString(Keys.tlsKey, \.tlsKeyPath), .bool(Keys.insecureHTTP, \.insecureHTTP),
        .optionalString(Keys.storeURL, \.storeURL),
    ]

    /// Every gateway key, in the order `bedside config` shows them.
    public static var keys: [ConfigKey] { bindings.map(\.key) }

    /// The defaults overridden by the layers (file < environment < flags), then validated.
    public init(layers: ConfigLayers) throws {
        self.init()
        try Self.bindings.apply(to: &self, from: layers)
        try validate()
    }

    /// The rows of `bedside config`.
    public func rows(layers: ConfigLayers) -> [ConfigRow] { Self.bindings.rows(self, layers: layers) }

    /// Defaults as the reference table shows them.
    public static var defaultValues: [String: String] {
        Dictionary(
            GatewayConfiguration().rows(layers: ConfigLayers()).compactMap { r in r.value.map { (r.key.dotted, $0) } },
            uniquingKeysWith: { a, _ in a })
    }
}
