import Core
import Foundation
import Inference
import LocalGateway
import SQLiteStore

/// The one configuration layer of the CLI: defaults < config.toml (`$BEDSIDE_CONFIG`, else
/// `$XDG_CONFIG_HOME/bedside/config.toml`) < `BEDSIDE_*` variables < the command's flags.
enum Settings {
    /// Every key any module reads; anything else in the file is reported with its line.
    /// Every `BEDSIDE_*` variable is one of these keys' (EndToEndTests' `ConfigRegistryTests`).
    static var keys: [ConfigKey] {
        BedsideConfig.keys + GatewayConfiguration.keys + ReplicaOptions.keys + ConsoleSettings.keys + StoreSettings.keys + CommandSettings.keys
    }

    /// The built-in default of every key that has one, by `ConfigKey.dotted`: what `config
    /// --reference` lists and what `config` shows for a key no layer sets.
    static var defaults: [String: String] {
        BedsideConfig.defaultValues.merging(GatewayConfiguration.defaultValues) { a, _ in a }
            .merging(ReplicaOptions.rows(.standard, layers: ConfigLayers()).compactMap { r in r.value.map { (r.key.dotted, $0) } }) { a, _ in a }
            .merging([ConsoleSettings.exportDirKey.dotted: ConsoleSettings.defaultExportDirectoryLabel]) { a, _ in a }
            .merging(StoreSettings.defaults) { a, _ in a }
    }

    /// The process environment: the one place the CLI reads it. Besides the `BEDSIDE_*`
    /// variables of `keys`, commands pass on only HOME, USER, XDG_*, TERM and NO_COLOR, which
    /// are the system's conventions, not Bedside settings.
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A command's flags by `ConfigKey.dotted`; a flag left off (nil) leaves the lower layers' value.
    static func flags(_ pairs: KeyValuePairs<ConfigKey, String?>) -> [String: String] {
        Dictionary(pairs.compactMap { k, v in v.map { (k.dotted, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    static func layers(flags: [String: String] = [:], environment: [String: String] = Settings.environment) throws -> ConfigLayers {
        let layers = try ConfigLayers.load(
            defaultPath: BedsideConfig.defaultPath(environment: environment), environment: environment, flags: flags, known: keys)
        try layers.check(known: keys)
        return layers
    }
}
