// Token verification lives in its own module (TokenAuth: Core, JWTKit, Crypto only) so the
// fuzz target can be built with libFuzzer instrumentation without rebuilding the HTTP stack.
// Re-exported so `import LocalGateway` still brings `AuthFailure`, `TokenClaims`, `TokenVerifier`…
@_exported import TokenAuth

extension TokenVerifier {
    /// Builds a verifier from the configuration: loads the HS256 secret and the JWKS file.
    static func make(
        configuration: GatewayConfiguration, secret: [UInt8], clock: GatewayClock = .system,
        revocations: RevocationList? = nil
    ) async throws -> TokenVerifier {
        let ring = try await KeyRing.make(secret: secret, jwksJSON: try KeyRing.readJWKS(path: configuration.jwksPath))
        return TokenVerifier(
            keys: ring,
            validator: ClaimsValidator(
                issuer: configuration.jwtIssuer, audience: configuration.jwtAudience, leeway: configuration.jwtLeeway,
                maxLifetime: configuration.maxTokenTTL),
            maxTokenBytes: configuration.maxTokenBytes,
            cacheSize: configuration.verifiedTokenCacheSize, clock: clock, revocations: revocations)
    }
}

extension RevocationList: RevocationChecking {}
