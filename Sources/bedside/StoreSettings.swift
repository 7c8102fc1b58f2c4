import Core
import Foundation
import SQLiteStore

/// `[store] sqlite_synchronous` and `[store] audit_group_commit`: how the SQLite file commits.
/// Both exist so `bench/gateway.sh` can measure what durability and grouping cost; the
/// command reads them here and passes them to `BedsideDatabase` (the SQLiteStore module reads no
/// environment).
enum StoreSettings {
    static let synchronousKey = ConfigKey(
        "store", "sqlite_synchronous", .choice(["full", "normal"]), env: ["BEDSIDE_SQLITE_SYNCHRONOUS"],
        help: "SQLite `PRAGMA synchronous`: full (a commit is on disk before the response) or normal (only to measure the cost).")
    static let groupCommitKey = ConfigKey(
        "store", "audit_group_commit", .bool, env: ["BEDSIDE_AUDIT_GROUP_COMMIT"],
        help: "Concurrent audit rows share one commit; off only to measure what grouping saves.")
    static var keys: [ConfigKey] { [synchronousKey, groupCommitKey] }
    static var defaults: [String: String] { [synchronousKey.dotted: "full", groupCommitKey.dotted: "true"] }

    static func synchronous(_ layers: ConfigLayers) throws -> BedsideDatabase.Synchronous {
        try layers.string(synchronousKey) == "normal" ? .normal : .full
    }

    static func groupCommit(_ layers: ConfigLayers) throws -> Bool { try layers.bool(groupCommitKey) ?? true }

    /// Opens the database at `path` with these settings and Bedside's own data folder.
    static func open(path: String, environment: [String: String] = Settings.environment) throws -> BedsideDatabase {
        let layers = try Settings.layers(environment: environment)
        return try BedsideDatabase(
            path: path, synchronous: synchronous(layers), groupCommit: groupCommit(layers),
            dataDirectory: StoreLocation.dataDirectory(environment: environment))
    }

    /// The rows of `bedside config`.
    static func rows(layers: ConfigLayers) throws -> [ConfigRow] {
        [
            ConfigRow(key: synchronousKey, value: try synchronous(layers).rawValue.lowercased(), origin: layers.origin(synchronousKey)),
            ConfigRow(key: groupCommitKey, value: String(try groupCommit(layers)), origin: layers.origin(groupCommitKey)),
        ]
    }
}
