/// An error a clinician can act on: a stable code, a plain message, and detail for logs.
public struct BedsideError: Error, Codable, Sendable, Hashable, CustomStringConvertible {
    public struct Code: RawRepresentable, Codable, Sendable, Hashable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }

        public static let badRequest: Code = "bad_request"
        /// The question holds characters a question cannot (controls, bidi overrides).
        public static let invalidQuestion: Code = "invalid_question"
        public static let unauthorized: Code = "unauthorized"
        public static let forbidden: Code = "forbidden"
        public static let notFound: Code = "not_found"
        public static let payloadTooLarge: Code = "payload_too_large"
        public static let rateLimited: Code = "rate_limited"
        public static let inferenceUnavailable: Code = "inference_unavailable"
        public static let timeout: Code = "timeout"
        public static let databaseLocked: Code = "database_locked"
        public static let databaseInvalid: Code = "database_invalid"
        public static let database: Code = "database_error"
        /// The shared database (PostgreSQL) cannot be reached right now; retrying may work.
        public static let databaseUnavailable: Code = "database_unavailable"
        public static let ingest: Code = "ingest_error"
        public static let upstream: Code = "upstream_error"
        public static let dimensionMismatch: Code = "dimension_mismatch"
        public static let config: Code = "config_error"
        public static let internalError: Code = "internal"
    }

    public var code: Code
    public var message: String
    /// Technical detail for logs; not shown to users by default.
    public var detail: String?
    /// Seconds after which a retry may succeed, when known.
    public var retryAfter: Int?

    public init(_ code: Code, _ message: String, detail: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public var description: String { detail.map { "\(message) (\($0))" } ?? message }

    enum CodingKeys: String, CodingKey {
        case code, message, detail
        case retryAfter = "retry_after"
    }
}

/// The JSON error shape every HTTP endpoint uses: `{"error":{"code","message","retry_after"}}`.
public struct ErrorEnvelope: Codable, Sendable {
    public var error: BedsideError
    public init(error: BedsideError) { self.error = error }
}

extension BedsideError.Code {
    /// The request itself was at fault (bad body, question or filter): never inference's failure.
    public var isClientError: Bool {
        self == .badRequest || self == .invalidQuestion || self == .payloadTooLarge
    }

    /// The local database failed (locked, corrupt, full, unwritable): the gateway's own
    /// state, not an upstream component, so it never opens the circuit breaker.
    public var isDatabase: Bool {
        self == .databaseLocked || self == .databaseInvalid || self == .database || self == .databaseUnavailable
    }
}
