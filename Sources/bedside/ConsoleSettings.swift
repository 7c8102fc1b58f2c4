import Core
import Foundation
import SQLiteStore

/// `[console] export_dir`: where `e` writes Markdown exports. An export holds a patient's
/// question, so it goes to the user's private data folder (0700 folders, 0600 files), never
/// the working folder a checkout or a shared directory may be.
enum ConsoleSettings {
    static let exportDirKey = ConfigKey(
        "console", "export_dir", .string, env: ["BEDSIDE_EXPORT_DIR"], flag: "--export-dir",
        help: "Where the console's `e` writes Markdown exports (0600 files; folders it creates 0700).")
    static let traceKey = ConfigKey(
        "console", "trace", .string, env: ["BEDSIDE_TUI_TRACE"],
        help: "File the console appends benchmark timing marks to, as JSON lines (bench/tui.sh); unset records nothing.")
    static var keys: [ConfigKey] { [exportDirKey, traceKey] }

    /// How the reference table shows the default (the same for every user).
    static let defaultExportDirectoryLabel = "$XDG_DATA_HOME/bedside/exports"

    /// `--export-dir`, else `BEDSIDE_EXPORT_DIR`, else `[console] export_dir`, else
    /// `$XDG_DATA_HOME/bedside/exports` (or `~/.local/share/bedside/exports`); `~` expanded.
    static func exportDirectory(_ layers: ConfigLayers, environment: [String: String] = Settings.environment) throws -> String {
        guard let value = try layers.string(exportDirKey), !value.isEmpty else {
            return StoreLocation.dataDirectory(environment: environment) + "/exports"
        }
        return (value as NSString).expandingTildeInPath
    }

    /// The rows of `bedside config`.
    static func rows(layers: ConfigLayers) throws -> [ConfigRow] {
        [
            ConfigRow(key: exportDirKey, value: try exportDirectory(layers), origin: layers.origin(exportDirKey)),
            ConfigRow(key: traceKey, value: try layers.string(traceKey), origin: layers.origin(traceKey)),
        ]
    }
}
