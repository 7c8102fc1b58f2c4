import Core
import Foundation
import Inference
import LocalGateway

/// The one configuration layer of the CLI: defaults < config.toml (`$BEDSIDE_CONFIG`, else
/// `$XDG_CONFIG_HOME/bedside/config.toml`) < `BEDSIDE_*` variables < the command's flags.
enum Settings {
    /// Every key any module reads; anything else in the file is reported with its line.
    static var keys: [ConfigKey] { BedsideConfig.keys + GatewayConfiguration.keys + ReplicaOptions.keys }

    static func layers(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigLayers {
        let layers = try ConfigLayers.load(defaultPath: BedsideConfig.defaultPath(environment: environment), environment: environment, flags: flags)
        try layers.check(known: keys)
        return layers
    }
}
