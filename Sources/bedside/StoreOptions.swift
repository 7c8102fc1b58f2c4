import ArgumentParser
import Core
import Foundation
import LocalGateway
import Logging
import PostgresStore
import SQLiteStore
import SharedState

/// `--store URL`: where the gateway's shared state lives (audit trail, answers and history,
/// response cache, tokens and revocations, rate-limit buckets). Overrides `[store] url` in
/// config.toml and `BEDSIDE_STORE_URL`; unset, the state stays in the SQLite file (`--db`).
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("store"),
        help: ArgumentHelp(
            "PostgreSQL URL for state shared by several gateways (or BEDSIDE_STORE_URL, [store] url); default: the SQLite file.",
            valueName: "url"))
    var store: String?

    /// This flag by `ConfigKey.dotted`, for `GatewayOptions.configuration(extraFlags:)`.
    var flags: [String: String] { store.map { [GatewayConfiguration.Keys.storeURL.dotted: $0] } ?? [:] }

    /// The store URL from every layer (flag, environment, config.toml), or nil for the SQLite file.
    func url() throws -> String? {
        try GatewayConfiguration(layers: Settings.layers(flags: flags)).storeURL
    }

    /// The shared state a command reads and writes: PostgreSQL when configured, else the
    /// SQLite file `database` opens. Close it with `closeState()` when done.
    func open(database: DatabaseOptions, logger: Logger = Logger(label: "bedside.store")) async throws -> any GatewayStateStore {
        try await SharedState.open(url: url(), database: { try database.open() }, logger: logger)
    }
}

enum SharedState {
    /// PostgreSQL at `url` (migrated to the current schema), or the SQLite database when `url` is nil.
    static func open(
        url: String?, database: () throws -> BedsideDatabase, logger: Logger
    ) async throws -> any GatewayStateStore {
        guard let url else { return try database() }
        return try await PostgresGatewayState.connect(url: url, logger: logger)
    }
}
