import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway

/// `bedside config`: the effective configuration, each value with where it came from.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Print the effective configuration: every setting, its value and where it came from (secrets redacted).",
        discussion: """
            Layers, lowest first: built-in defaults, the config file ($BEDSIDE_CONFIG, else \
            $XDG_CONFIG_HOME/bedside/config.toml), BEDSIDE_* environment variables, then the \
            flags given here (the same as `serve`'s). Each line: key, value, origin (default, \
            file PATH:LINE, env NAME or flag --NAME). API keys are shown as "(set, redacted)"; \
            passwords in URLs as ***. --reference prints every key, variable and flag as a Markdown table.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions
    @OptionGroup var gateway: GatewayOptions
    @OptionGroup var listen: ServeOptions
    @OptionGroup var replica: ReplicaOptions

    @Flag(help: "Print the settings as JSON: [{\"key\", \"value\", \"origin\", \"env\", \"secret\"}].")
    var json = false

    @Flag(help: "Print the reference table of every key, environment variable, flag and default (Markdown).")
    var reference = false

    func run() async throws {
        try await reportingErrors {
            if reference {
                print(ConfigRedaction.reference(Settings.keys, defaults: Settings.defaults))
                return
            }
            let flags = [components.flags, gateway.flags, listen.flags, replica.flags].reduce(into: [:]) { $0.merge($1) { a, _ in a } }
            let layers = try Settings.layers(flags: flags)
            let rows = CommandSettings.rows(explicitDatabase: database.db) + (try Self.rows(layers: layers, databasePath: database.path))
            if json {
                let items: [JSONValue] = rows.map { r in
                    .object([
                        "key": .string(r.key.dotted), "value": r.value.map(JSONValue.string) ?? .null, "origin": .string(r.origin.description),
                        "env": .array(r.key.environment.map(JSONValue.string)), "secret": .bool(r.key.secret),
                    ])
                }
                print(try Terminal.json(JSONValue.array(items)))
            } else {
                // Values come from the user's file and environment: URL passwords are already
                // hidden (`ConfigRedaction.display`); controls in them are shown escaped.
                print(TerminalText.safe("config file: " + (layers.filePath ?? "none (\(layers.expectedPath) does not exist)")))
                print(TerminalText.safe(ConfigRedaction.table(rows)))
            }
        }
    }

    /// Every setting of every module, secrets redacted.
    static func rows(layers: ConfigLayers, databasePath: String) throws -> [ConfigRow] {
        let inference = try BedsideConfig(layers: layers)
        let gateway = try GatewayOptions.configuration(databasePath: databasePath, layers: layers)
        let rows =
            inference.rows(layers: layers) + gateway.rows(layers: layers) + ReplicaOptions.rows(try ReplicaOptions.limits(layers), layers: layers)
            + (try ConsoleSettings.rows(layers: layers)) + (try StoreSettings.rows(layers: layers))
        // A key of a component that is not configured (`[llm] model` without `[llm] url`)
        // has no effective value; it shows the default `--reference` lists, not "-".
        let defaults = Settings.defaults
        return rows.map { row in
            var r = row
            if r.value == nil, r.origin == .defaultValue, !r.key.secret, let d = defaults[r.key.dotted], !d.isEmpty { r.value = d }
            return r
        }
    }
}
