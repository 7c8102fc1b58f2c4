import Core
import Foundation
import Inference
import LocalGateway
import Store

/// The one configuration layer of the CLI: defaults < config.toml (`$BEDSIDE_CONFIG`, else
/// `$XDG_CONFIG_HOME/bedside/config.toml`) < `BEDSIDE_*` variables < the command's flags.
enum Settings {
    /// Every key any module reads; anything else in the file is reported with its line.
    static var keys: [ConfigKey] {
        BedsideConfig.keys + GatewayConfiguration.keys + ReplicaOptions.keys + ConsoleSettings.keys + StoreSettings.keys
    }

    /// The built-in default of every key that has one, by `ConfigKey.dotted`: what `config
    /// --reference` lists and what `config` shows for a key no layer sets.
    static var defaults: [String: String] {
        BedsideConfig.defaultValues.merging(GatewayConfiguration.defaultValues) { a, _ in a }
            .merging(ReplicaOptions.rows(.standard, layers: ConfigLayers()).compactMap { r in r.value.map { (r.key.dotted, $0) } }) { a, _ in a }
            .merging([ConsoleSettings.exportDirKey.dotted: ConsoleSettings.defaultExportDirectoryLabel]) { a, _ in a }
            .merging(StoreSettings.defaults) { a, _ in a }
    }

    /// `--db`, `BEDSIDE_DB` or the default: a row of `bedside config` though not a file key
    /// (the database is chosen before any config file is read).
    static let databaseKey = ConfigKey(
        "", "database", .string, env: ["BEDSIDE_DB"], flag: "--db", help: "SQLite database file (not a config file key).")

    static func databaseRow(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigRow {
        let origin: ConfigOrigin
        if let explicit, !explicit.isEmpty {
            origin = .flag("--db")
        } else if let env = environment["BEDSIDE_DB"], !env.isEmpty {
            origin = .environment("BEDSIDE_DB")
        } else {
            origin = .defaultValue
        }
        return ConfigRow(key: databaseKey, value: StoreLocation.databasePath(explicit: explicit, environment: environment), origin: origin)
    }

    static func layers(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigLayers {
        let layers = try ConfigLayers.load(
            defaultPath: BedsideConfig.defaultPath(environment: environment), environment: environment, flags: flags, known: keys)
        try layers.check(known: keys)
        return layers
    }
}
