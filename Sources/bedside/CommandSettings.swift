import Core
import Foundation
import SQLiteStore

/// The settings a command reads from its flag or a variable only, never from config.toml:
/// the database and the config file are chosen before the file is read, and tokens and the
/// paths below belong to one invocation, not to a shared file. They are registry keys all
/// the same, so `bedside config` shows them and `--reference` documents them.
enum CommandSettings {
    static let database = ConfigKey(
        "", "database", .string, env: ["BEDSIDE_DB"], flag: "--db", inFile: false,
        help: "SQLite database file. Default: $XDG_DATA_HOME/bedside/bedside.sqlite.")
    static let token = ConfigKey(
        "", "token", .string, env: ["BEDSIDE_TOKEN"], flag: "--token", secret: true, inFile: false,
        help: "Bearer token for --gateway (never printed; --token-file keeps it out of `ps`).")
    static let caCert = ConfigKey(
        "", "cacert", .string, env: ["BEDSIDE_CACERT"], flag: "--cacert", inFile: false,
        help: "PEM file of the CA that signed an https:// gateway's certificate; unset: the system's roots.")
    static let inferenceToken = ConfigKey(
        "", "inference_token", .string, env: ["BEDSIDE_INFERENCE_TOKEN"], flag: "--inference-token", secret: true, inFile: false,
        help: "Bearer token `serve --inference URL` sends to the remote inference node (never printed).")
    static let demoCorpus = ConfigKey(
        "", "demo_corpus", .string, env: ["BEDSIDE_DEMO_CORPUS"], inFile: false,
        help: "Folder of the demo corpus the console ingests into an empty index; unset: the one installed with Bedside.")
    static let debug = ConfigKey(
        "", "debug", .string, env: ["BEDSIDE_DEBUG"], inFile: false, help: "Set to anything: errors also print their detail.")

    static var keys: [ConfigKey] { [.configFile, database, token, caCert, inferenceToken, demoCorpus, debug] }

    /// `flag`, else `key`'s variable; nil when neither is set (or set empty).
    static func value(_ key: ConfigKey, flag: String? = nil, environment: [String: String] = Settings.environment) -> String? {
        let flags = flag.map { [key.dotted: $0] } ?? [:]
        // A `.string` key has no kind to check, so this read cannot fail.
        return (try? ConfigLayers(environment: environment, flags: flags).string(key)).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `--db`, else `BEDSIDE_DB`, else `$XDG_DATA_HOME/bedside/bedside.sqlite`; `~` expanded.
    static func databasePath(explicit: String?, environment: [String: String] = Settings.environment) -> String {
        value(database, flag: explicit, environment: environment).map { ($0 as NSString).expandingTildeInPath }
            ?? StoreLocation.defaultDatabasePath(environment: environment)
    }

    /// The rows of `bedside config`: the database resolved, the others as set (secrets redacted).
    static func rows(explicitDatabase: String?, environment: [String: String] = Settings.environment) -> [ConfigRow] {
        let flags = explicitDatabase.flatMap { $0.isEmpty ? nil : [database.dotted: $0] } ?? [:]
        let layers = ConfigLayers(environment: environment, flags: flags)
        return keys.map { key in
            let value = key == database ? databasePath(explicit: explicitDatabase, environment: environment) : value(key, environment: environment)
            return ConfigRow(key: key, value: value.map { ConfigRedaction.display($0, for: key) }, origin: layers.origin(key))
        }
    }
}
