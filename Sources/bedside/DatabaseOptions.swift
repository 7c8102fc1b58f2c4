import ArgumentParser
import Core
import Foundation
import SQLiteStore

/// `--db PATH`, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("SQLite database file (default: $BEDSIDE_DB, else $XDG_DATA_HOME/bedside/bedside.sqlite).", valueName: "path")
    )
    var db: String?

    var path: String { CommandSettings.databasePath(explicit: db) }

    /// Opens the database with `[store]`'s commit settings (`StoreSettings`).
    func open() throws -> BedsideDatabase {
        try StoreSettings.open(path: path)
    }
}

/// Prints a `BedsideError` plainly on stderr and exits non-zero, instead of a stack of Swift types.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as BedsideError {
        Terminal.error("error: \(error.message)")
        if let detail = error.detail, CommandSettings.value(CommandSettings.debug) != nil { Terminal.error("  detail: \(detail)") }
        throw ExitCode(error.code.isClientError ? 2 : 1)
    }
}
