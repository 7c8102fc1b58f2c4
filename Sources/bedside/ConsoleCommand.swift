import ArgumentParser
import Foundation

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the terminal console (the default)."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        Terminal.error("The console is not built yet.")
        throw ExitCode(1)
    }
}
