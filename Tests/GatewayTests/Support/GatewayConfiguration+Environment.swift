import Core
import LocalGateway

extension GatewayConfiguration {
    /// The defaults overridden by `BEDSIDE_*` variables only (no file, no flags), then validated.
    init(environment: [String: String]) throws {
        try self.init(layers: ConfigLayers(environment: environment))
    }
}
