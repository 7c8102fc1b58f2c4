import ArgumentParser
import Core
import Foundation
import LocalGateway

/// Gateway flags shared by `serve`, `ask` and the console; they override `config.toml` and
/// the `BEDSIDE_*` variables (see `bedside config --reference`).
struct GatewayOptions: ParsableArguments {
    @Option(name: .customLong("cache-ttl"), help: ArgumentHelp("How long a cached answer is fresh (e.g. 6h, 30m).", valueName: "duration"))
    var cacheTTL: String?

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Token-bucket capacity per API key (requests).", valueName: "n"))
    var rateLimit: Double?

    @Option(name: .customLong("rate-refill"), help: ArgumentHelp("Token-bucket refill rate per API key (requests per second).", valueName: "n"))
    var rateRefill: Double?

    @Option(help: ArgumentHelp("JWKS file with RS256/ES256 public keys, chosen by kid.", valueName: "path"))
    var jwks: String?

    @Option(
        name: .customLong("max-ttl"),
        help: ArgumentHelp("Longest token lifetime accepted or minted (default 30d, at most 366d).", valueName: "duration"))
    var maxTTL: String?

    /// These flags by `ConfigKey.dotted`.
    var flags: [String: String] {
        typealias K = GatewayConfiguration.Keys
        return Settings.flags([
            K.cacheTTL: cacheTTL, K.rateCapacity: rateLimit.map { "\($0)" }, K.rateRefill: rateRefill.map { "\($0)" }, K.jwks: jwks,
            K.maxTokenTTL: maxTTL,
        ])
    }

    /// The gateway settings from every layer, `extraFlags` (e.g. `serve`'s) included; the
    /// secret file defaults to `gateway-secret` next to the database.
    func configuration(databasePath: String, extraFlags: [String: String] = [:]) throws -> GatewayConfiguration {
        try Self.configuration(databasePath: databasePath, layers: Settings.layers(flags: flags.merging(extraFlags) { a, _ in a }))
    }

    static func configuration(databasePath: String, layers: ConfigLayers) throws -> GatewayConfiguration {
        var c = try GatewayConfiguration(layers: layers)
        if c.secretPath == nil { c.secretPath = GatewayConfiguration.defaultSecretPath(databasePath: databasePath) }
        return c
    }
}
