import ArgumentParser
import Core
import Foundation
import LocalGateway
import Logging
import SQLiteStore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage gateway access tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Mint an HS256 token for a local user and print it.",
            discussion: """
                The signing secret is created on first use beside the database (file mode 0600). \
                The token is printed once and not stored; its id, subject, roles and lifetime are \
                recorded so that `bedside token list` and `revoke` can name it.
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var gateway: GatewayOptions
        @OptionGroup var store: StoreOptions

        @Option(help: "Who the token is for (the rate-limit key, the audit subject and whose records it reads).")
        var subject: String

        @Option(help: ArgumentHelp("Lifetime, e.g. 8h, 30m, 7d (default 12h; at most 30d unless --max-ttl allows more).", valueName: "duration"))
        var ttl = "12h"

        @Option(help: ArgumentHelp("A role: auditor (reads every subject's audit rows). Repeat for several.", valueName: "role"))
        var role: [String] = []

        @Option(
            help: ArgumentHelp(
                "Write the token to this new file (mode 0600; an existing file is not overwritten) instead of printing it.", valueName: "file"))
        var out: String?

        func run() async throws {
            try await reportingErrors {
                guard !subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw BedsideError(.badRequest, "The subject is empty.") }
                // Created before the token is minted, so a name that is taken costs nothing.
                let file = try out.map { try TokenFile.create(($0 as NSString).expandingTildeInPath) }
                let lifetime = try parseDuration(ttl)
                let config = try gateway.configuration(databasePath: database.path, extraFlags: store.flags)
                let db = try database.open()
                let state = try await SharedState.open(url: config.storeURL, database: { db }, logger: Logger(label: "bedside.store"))
                let issuer = try TokenIssuer(configuration: config, database: db, state: state)
                let token = try await issuer.mint(subject: subject, ttl: lifetime, roles: role, maxTTL: config.maxTokenTTL)
                try await state.closeState()
                if let file, let out {
                    try file.write(token + "\n")
                    Terminal.error("Wrote a token for \(TerminalText.safe(subject)) to \(TerminalText.safe(out)) (mode 0600).")
                } else {
                    TokenFile.restrictStandardOutput()
                    print(token)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the tokens minted with this database (never the tokens themselves).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var store: StoreOptions

        @Option(help: "Only this subject's tokens.")
        var subject: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let state = try await store.open(database: database)
                let tokens = try await state.issuedTokens(subject: subject)
                try await state.closeState()
                if json {
                    print(try Terminal.json(tokens))
                    return
                }
                if tokens.isEmpty {
                    print("No tokens have been minted with this database.")
                    return
                }
                let now = Date()
                let safe = AuditExport.terminalSafe
                let rows = tokens.map { t -> [String] in
                    let state = t.revokedAt != nil ? "revoked" : (t.expiresAt <= now ? "expired" : "active")
                    return [
                        t.jti, safe(t.subject), state, AuditExport.timestamp(t.issuedAt), AuditExport.timestamp(t.expiresAt),
                        t.roles.isEmpty ? "-" : safe(t.roles.joined(separator: ",")),
                    ]
                }
                for line in TextTable.lines(header: ["ID", "SUBJECT", "STATE", "ISSUED", "EXPIRES", "ROLES"], rows: rows) { print(line) }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a token by its id, or every token of a subject.",
            discussion: "A running `bedside serve` on the same database refuses a revoked token within a second."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var store: StoreOptions

        @Argument(help: ArgumentHelp("The token id (jti) to revoke, from `bedside token list`.", valueName: "jti"))
        var jti: String?

        @Option(help: "Revoke every token of this subject issued until now.")
        var subject: String?

        func run() async throws {
            try await reportingErrors {
                switch (jti, subject) {
                case (let id?, nil):
                    guard !id.isEmpty, id.utf8.count <= 256 else { throw BedsideError(.badRequest, "The token id is not valid.") }
                    let state = try await store.open(database: database)
                    try await state.revokeToken(jti: id)
                    try await state.closeState()
                    print("revoked token \(AuditExport.terminalSafe(id))")
                case (nil, let s?):
                    guard !s.isEmpty else { throw BedsideError(.badRequest, "The subject is empty.") }
                    let state = try await store.open(database: database)
                    let n = try await state.revokeSubject(s)
                    try await state.closeState()
                    print("revoked every token of \(AuditExport.terminalSafe(s)) issued until now (\(n) minted with this database)")
                default:
                    throw BedsideError(.badRequest, "Give either a token id or --subject.")
                }
            }
        }
    }
}
