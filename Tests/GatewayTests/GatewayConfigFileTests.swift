import Core
import Foundation
import Testing

@testable import LocalGateway

/// Every gateway setting can be written in config.toml, and the layers stack the same way.
@Suite("Gateway settings in config.toml")
struct GatewayConfigFileTests {
    /// Every gateway key, each set to a valid value that is not its default.
    static let everyKey = """
        [gateway]
        host = "127.0.0.2"
        port = 9_999
        log_level = "debug"
        log_questions = true
        cached_fast_path = false
        header_timeout = "3s"
        body_timeout = 20
        idle_timeout = "2m"
        linger_timeout = 1.5
        inference_timeout = "90s"
        inference_connect_timeout = "4s"
        status_timeout = "7s"
        circuit_failures = 9
        circuit_cool_down = "1m"
        retry_after = 11
        shutdown_grace = "45s"

        [cache]
        ttl = "2h"
        lru_size = 64
        status_ttl = "3s"

        [limits]
        rate_capacity = 300
        rate_refill = 0.5
        max_connections = 50
        max_header_bytes = 16384
        body_bytes = 131072
        linger_bytes = 4096
        peer_answer_bytes = 4096
        peer_citations = 10
        peer_citation_bytes = 8192

        [auth]
        issuer = "ward-7"
        audience = "ward-7-gateway"
        leeway = "30s"
        secret_file = "/etc/bedside/secret"
        jwks = "/etc/bedside/jwks.json"
        verified_token_cache = 16
        max_token_bytes = 4096
        max_token_ttl = "90d"
        embedded_token_ttl = "1h"

        [tls]
        cert = "/etc/bedside/cert.pem"
        key = "/etc/bedside/key.pem"
        insecure_http = true

        [store]
        url = "postgres://bedside@db.example:5432/bedside"
        """

    @Test func everyGatewayKeyIsReadFromTheFile() throws {
        let layers = try ConfigLayers(fileText: Self.everyKey, filePath: "gw.toml")
        #expect(layers.unknownKeys(known: GatewayConfiguration.keys).isEmpty)
        let c = try GatewayConfiguration(layers: layers)
        let parsed = c.rows(layers: layers)
        let defaults = GatewayConfiguration().rows(layers: ConfigLayers())
        #expect(parsed.count == GatewayConfiguration.keys.count && defaults.count == parsed.count)
        // Each key is in the file above, comes from it, and changed the value it is bound to.
        for (row, def) in zip(parsed, defaults) {
            #expect(layers.document[row.key.section]?[row.key.name] != nil, "\(row.key.label) missing from the test file")
            guard case .file(path: "gw.toml", line: let line) = row.origin else {
                Issue.record("\(row.key.label) came from \(row.origin)")
                continue
            }
            #expect(line == layers.document[row.key.section]?[row.key.name]?.line)
            #expect(row.value != def.value, "\(row.key.label) stayed at its default \(def.value ?? "nil")")
        }
        #expect(c.host == "127.0.0.2" && c.port == 9_999 && c.logLevel == .debug && c.logQuestions && !c.cachedFastPath)
        #expect(c.headerReadTimeout == 3 && c.bodyReadTimeout == 20 && c.idleTimeout == 120 && c.lingerTimeout == 1.5)
        #expect(c.inferenceTimeout == 90 && c.inferenceConnectTimeout == 4 && c.statusTimeout == 7)
        #expect(c.circuitFailureThreshold == 9 && c.circuitCoolDown == 60 && c.defaultRetryAfter == 11 && c.shutdownGracePeriod == 45)
        #expect(c.cacheTTL == 7_200 && c.lruSize == 64 && c.statusCacheTTL == 3)
        #expect(c.rateLimitCapacity == 300 && c.rateLimitRefillPerSecond == 0.5 && c.maxConnections == 50)
        #expect(c.maxHeaderBytes == 16_384 && c.bodyLimit == 131_072 && c.lingerBytes == 4_096)
        #expect(c.jwtIssuer == "ward-7" && c.jwtAudience == "ward-7-gateway" && c.jwtLeeway == 30)
        #expect(c.secretPath == "/etc/bedside/secret" && c.jwksPath == "/etc/bedside/jwks.json")
        #expect(c.verifiedTokenCacheSize == 16 && c.maxTokenBytes == 4_096 && c.maxTokenTTL == 90 * 86_400 && c.embeddedTokenTTL == 3_600)
        #expect(c.tlsCertificatePath == "/etc/bedside/cert.pem" && c.tlsKeyPath == "/etc/bedside/key.pem" && c.insecureHTTP && c.tlsEnabled)
    }

    /// defaults < file < BEDSIDE_* < flags.
    @Test func precedence() throws {
        let file = "[gateway]\nidle_timeout = \"40s\"\nport = 9000\n[limits]\nrate_capacity = 10\n"
        let key = GatewayConfiguration.Keys.idleTimeout
        let env = ["BEDSIDE_IDLE_TIMEOUT": "50s", "BEDSIDE_RATE_LIMIT_CAPACITY": "20"]
        let flags = [GatewayConfiguration.Keys.rateCapacity.dotted: "30"]
        #expect(try GatewayConfiguration(layers: ConfigLayers()).idleTimeout == 75)
        let f = try ConfigLayers(fileText: file, filePath: "c.toml")
        #expect(try GatewayConfiguration(layers: f).idleTimeout == 40)
        let e = try ConfigLayers(fileText: file, filePath: "c.toml", environment: env)
        #expect(try GatewayConfiguration(layers: e).idleTimeout == 50 && e.origin(key) == .environment("BEDSIDE_IDLE_TIMEOUT"))
        let all = try ConfigLayers(fileText: file, filePath: "c.toml", environment: env, flags: flags)
        let c = try GatewayConfiguration(layers: all)
        #expect(c.rateLimitCapacity == 30 && all.origin(GatewayConfiguration.Keys.rateCapacity) == .flag("--rate-limit"))
        #expect(c.port == 9000 && all.origin(GatewayConfiguration.Keys.port) == .file(path: "c.toml", line: 3))
        #expect(c.maxConnections == 1024 && all.origin(GatewayConfiguration.Keys.maxConnections) == .defaultValue)
        // The environment-only initialiser still works (and still validates).
        #expect(try GatewayConfiguration(environment: ["BEDSIDE_IDLE_TIMEOUT": "2m"]).idleTimeout == 120)
    }

    @Test func errorsNameFileLineAndKey() throws {
        #expect {
            try GatewayConfiguration(layers: ConfigLayers(fileText: "[gateway]\nport = 8787\n\nidle_timeout = \"abc\"\n", filePath: "config.toml"))
        } throws: { error in
            (error as? BedsideError)?.message
                == "config.toml:4: [gateway] idle_timeout: expected a duration like \"30s\", \"5m\" or \"2h\", got \"abc\""
        }
        #expect {
            try GatewayConfiguration(layers: ConfigLayers(fileText: "[limits]\nmax_connections = 0\n", filePath: "config.toml"))
        } throws: { error in
            (error as? BedsideError)?.message == "config.toml:2: [limits] max_connections: expected a whole number from 1 to 1000000, got 0"
        }
        #expect {
            try GatewayConfiguration(layers: ConfigLayers(fileText: "[tls]\ninsecure_http = \"yes\"\n", filePath: "config.toml"))
        } throws: { error in
            (error as? BedsideError)?.message == "config.toml:2: [tls] insecure_http: expected true or false, got \"yes\""
        }
        #expect {
            try GatewayConfiguration(environment: ["BEDSIDE_LOG_QUESTIONS": "perhaps"])
        } throws: { error in
            (error as? BedsideError)?.message == "BEDSIDE_LOG_QUESTIONS ([gateway] log_questions): expected true or false, got \"perhaps\""
        }
        // Settings that are each valid but do not work together are still refused.
        #expect(throws: BedsideError.self) { try GatewayConfiguration(layers: ConfigLayers(fileText: "[tls]\ncert = \"/c.pem\"\n")) }
        #expect(throws: BedsideError.self) {
            try GatewayConfiguration(layers: ConfigLayers(fileText: "[limits]\nmax_header_bytes = 2048\n[auth]\nmax_token_bytes = 4096\n"))
        }
    }

    @Test func unknownGatewayKeysAreReported() throws {
        let layers = try ConfigLayers(fileText: "[gateway]\nidle_timout = \"30s\"\n[tsl]\ncert = \"c.pem\"\n", filePath: "config.toml")
        let problems = layers.unknownKeys(known: GatewayConfiguration.keys)
        #expect(problems.count == 2)
        #expect(problems.first?.hasPrefix("config.toml:2: unknown key `idle_timout` in [gateway]") == true)
        #expect(problems.last?.hasPrefix("config.toml:3: unknown section [tsl]") == true)
    }

    @Test func referenceTableListsEveryKeyOnce() {
        let table = ConfigRedaction.reference(GatewayConfiguration.keys, defaults: GatewayConfiguration.defaultValues)
        for key in GatewayConfiguration.keys {
            #expect(table.components(separatedBy: "`[\(key.section)] \(key.name)`").count == 2, "\(key.label)")
        }
        #expect(table.contains("| `[gateway] idle_timeout` | `BEDSIDE_IDLE_TIMEOUT` |  | `1m15s` |"))
        #expect(Set(GatewayConfiguration.keys.map(\.dotted)).count == GatewayConfiguration.keys.count)
        #expect(Set(GatewayConfiguration.keys.flatMap(\.environment)).count == GatewayConfiguration.keys.count)
    }
}
