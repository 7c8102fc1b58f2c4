import SharedState

/// SQLite: one gateway per file, so rate-limit buckets stay in process.
extension BedsideDatabase: GatewayStateStore {
    public var stateDescription: String { "sqlite:\(path)" }
    public var sharedRateLimits: (any SharedRateLimitStore)? { nil }
    /// One gateway per file, and replacing the secret file is how a single gateway rotates it:
    /// nothing to agree with.
    public func claimTokenSecretFingerprint(_ fingerprint: String) async throws -> String? { nil }
    /// A local file: reachable while the process runs (a locked or damaged file shows in the request that meets it).
    public func checkReachable() async throws {}
    public func closeState() async throws { try close() }
}
