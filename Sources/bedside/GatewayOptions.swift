import ArgumentParser
import Core
import Foundation
import LocalGateway

/// Gateway settings shared by `serve`, `ask` and the console: environment first
/// (`BEDSIDE_CACHE_TTL`, `BEDSIDE_RATE_LIMIT_CAPACITY`, … see docs/api.md), then flags.
struct GatewayOptions: ParsableArguments {
    @Option(name: .customLong("cache-ttl"), help: ArgumentHelp("How long a cached answer is fresh (e.g. 6h, 30m).", valueName: "duration"))
    var cacheTTL: String?

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Token-bucket capacity per API key (requests).", valueName: "n"))
    var rateLimit: Double?

    @Option(name: .customLong("rate-refill"), help: ArgumentHelp("Token-bucket refill rate per API key (requests per second).", valueName: "n"))
    var rateRefill: Double?

    @Option(help: ArgumentHelp("JWKS file with RS256/ES256 public keys, chosen by kid.", valueName: "path"))
    var jwks: String?

    @Option(name: .customLong("max-ttl"), help: ArgumentHelp("Longest token lifetime accepted or minted (default 30d, at most 366d).", valueName: "duration"))
    var maxTTL: String?

    func configuration(databasePath: String) throws -> GatewayConfiguration {
        var c = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
        if let t = cacheTTL { c.cacheTTL = try parseDuration(t) }
        if let r = rateLimit { c.rateLimitCapacity = r }
        if let r = rateRefill { c.rateLimitRefillPerSecond = r }
        if let j = jwks { c.jwksPath = j }
        if let m = maxTTL { c.maxTokenTTL = try parseDuration(m) }
        if c.secretPath == nil { c.secretPath = GatewayConfiguration.defaultSecretPath(databasePath: databasePath) }
        try c.validate()
        return c
    }
}
