import ArgumentParser
import Core
import Foundation
import LocalGateway

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage gateway access tokens.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Mint an HS256 token for a local user and print it.",
            discussion: "The signing secret is created on first use beside the database (file mode 0600). The token is printed once and not stored."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var gateway: GatewayOptions

        @Option(help: "Who the token is for (the rate-limit key and audit subject).")
        var subject: String

        @Option(help: ArgumentHelp("Lifetime, e.g. 8h, 30m, 7d.", valueName: "duration"))
        var ttl = "8h"

        func run() async throws {
            try await reportingErrors {
                guard !subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw BedsideError(.badRequest, "The subject is empty.") }
                let lifetime = try parseDuration(ttl)
                let config = try gateway.configuration(databasePath: database.path)
                let db = try database.open()
                let issuer = try TokenIssuer(configuration: config, database: db)
                print(try await issuer.mint(subject: subject, ttl: lifetime))
            }
        }
    }
}
