import Foundation

/// Where Bedside keeps its files. The environment is passed in by the command (this module
/// reads none); only the XDG base directories and HOME, which are not Bedside's settings.
public enum StoreLocation {
    /// `$XDG_DATA_HOME/bedside/bedside.sqlite`, else `~/.local/share/bedside/bedside.sqlite`:
    /// the database when neither `--db` nor `BEDSIDE_DB` names one (the command resolves those).
    public static func defaultDatabasePath(environment: [String: String]) -> String {
        dataDirectory(environment: environment) + "/bedside.sqlite"
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
