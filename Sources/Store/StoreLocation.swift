import Foundation

/// Where Bedside keeps its files. The environment is passed in by the command (this module reads none).
public enum StoreLocation {
    /// `--db` wins, then `BEDSIDE_DB`, then `$XDG_DATA_HOME/bedside/bedside.sqlite`,
    /// then `~/.local/share/bedside/bedside.sqlite`.
    public static func databasePath(explicit: String?, environment: [String: String]) -> String {
        if let explicit, !explicit.isEmpty { return (explicit as NSString).expandingTildeInPath }
        if let env = environment["BEDSIDE_DB"], !env.isEmpty { return (env as NSString).expandingTildeInPath }
        return dataDirectory(environment: environment) + "/bedside.sqlite"
    }

    /// `$XDG_DATA_HOME/bedside` or `~/.local/share/bedside`.
    public static func dataDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/bedside" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/share/bedside"
    }

    /// `$XDG_CONFIG_HOME/bedside` or `~/.config/bedside`.
    public static func configDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/bedside" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/bedside"
    }
}
