import ArgumentParser
import Core
import Foundation

/// `bedside`: clinical questions answered from your indexed sources, with citations.
@main
struct Bedside: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bedside",
        abstract: "Clinical questions answered from your indexed sources, with citations you can read.",
        discussion: """
            With no subcommand, bedside opens the terminal console. Answers come only from \
            the documents you ingest; when they do not support an answer, bedside says so. \
            The demo corpus is demo content written for testing. It is not for clinical use.

            Data: $XDG_DATA_HOME/bedside/bedside.sqlite (or ~/.local/share/bedside/), \
            overridable with --db or BEDSIDE_DB. Configuration: \
            $XDG_CONFIG_HOME/bedside/config.toml, overridden by BEDSIDE_* variables \
            (see `bedside doctor`).
            """,
        version: BedsideVersion.current,
        subcommands: [
            ConsoleCommand.self, AskCommand.self, CheckCommand.self, IngestCommand.self, ServeCommand.self, TokenCommand.self, EvalCommand.self,
            HistoryCommand.self, DoctorCommand.self, ConfigCommand.self, SyncCommand.self, AuditCommand.self, BenchJWTCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )

    /// ArgumentParser's own `main`, except that an error message goes through
    /// `Terminal.error`: it may quote an argument, a document or a peer's reply, whose
    /// terminal controls must not act and whose URL passwords must not show.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
            } else if !message.isEmpty {
                Terminal.error(message)
            }
            Foundation.exit(code.rawValue)
        }
    }
}
