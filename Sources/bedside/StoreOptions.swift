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
    var flags: [String: String] { Settings.flags([GatewayConfiguration.Keys.storeURL: store]) }

    /// The shared state a command reads and writes: PostgreSQL when configured (flag,
    /// environment or config.toml), else the SQLite file `database` opens. Close it with
    /// `closeState()` when done.
    func open(database: DatabaseOptions) async throws -> any GatewayStateStore {
        let url = try GatewayConfiguration(layers: Settings.layers(flags: flags)).storeURL
        return try await SharedState.open(url: url, database: { try database.open() }, logger: Logger(label: "bedside.store"))
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
