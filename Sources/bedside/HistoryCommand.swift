import APIClient
import ArgumentParser
import Core
import Foundation
import SQLiteStore

/// `bedside history`: the asker's own past questions, as `llm logs` gives its users. The
/// console keeps history too, but a clinician should not need the console (nor `audit`, which
/// is for admins) to find what they asked yesterday and read the answer again.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List your own past questions, newest first; `history show ID` prints one answer.",
        discussion: """
            Without --gateway, reads the answers the console and `ask` stored in the local \
            database (under your user name). With --gateway URL and a token, asks that \
            gateway for your history, merged with this workstation's replica of it; when the \
            gateway cannot be reached, lists the replica's entries, says so on stderr and \
            exits 4.

            Columns: when asked, the answer id (for `history show`), the index version, \
            marks (cached: served from the response cache; STALE: shown while inference was \
            unavailable; refused: the sources did not support an answer) and the question.
            """,
        subcommands: [HistoryListCommand.self, HistoryShowCommand.self],
        defaultSubcommand: HistoryListCommand.self
    )
}

/// Where history comes from: the local database, or a gateway with its replica. Shared by
/// `history` and `history show`.
struct HistorySourceOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var remote: RemoteGatewayOptions
    @OptionGroup var replicaOptions: ReplicaOptions

    /// The subject the embedded gateway records the local user's answers under: `$USER`, else
    /// `local`; passed to `EmbeddedGateway.start` (which reads no environment).
    static func localSubject(environment: [String: String] = Settings.environment) -> String {
        environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
    }

    /// The line on stderr that says the entries come from the replica, not the gateway.
    static func offlineNote(_ reason: BedsideError, replica: String?, what: String = "These entries come") -> String {
        "offline: \(reason.message) \(what) from the replica \(replica ?? "on this workstation") (offline)."
    }
}

struct HistoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List your own past questions, newest first (the default).")

    @OptionGroup var source: HistorySourceOptions

    @Option(name: .customShort("n"), help: ArgumentHelp("How many entries (1-1000).", valueName: "N"))
    var limit = 20

    @Option(name: .customShort("q"), help: ArgumentHelp("Only questions containing this text (case-insensitive).", valueName: "TEXT"))
    var query: String?

    @Flag(help: "Print {\"source\", \"offline\", \"entries\": [{\"answer_id\", \"question\", \"created_at\", \"cached\", \"stale\", …}]}.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("-n takes 1 to 1000 entries.") }
    }

    func run() async throws {
        let listing = try await reportingErrors { try await load() }
        if let offline = listing.offline {
            Terminal.error(HistorySourceOptions.offlineNote(offline, replica: listing.replica))
        }
        if json {
            print(try HistoryListing.json(listing))
        } else if listing.rows.isEmpty {
            print(query == nil ? "No questions in your history yet." : "No question in your history contains that text.")
        } else {
            for line in HistoryListing.table(listing.rows) { print(line) }
        }
        if listing.offline != nil { throw ExitCode(4) }
    }

    func load() async throws -> HistoryListing {
        let q = query?.trimmingCharacters(in: .whitespaces).isEmpty == false ? query : nil
        if let url = source.remote.url {
            return try await source.remote.withGateway(url, replica: source.replicaOptions) { gateway, replica in
                let (entries, offline) = try await gateway.history(query: q, limit: limit)
                var rows: [HistoryListing.Row] = []
                for entry in entries {
                    // The replica keeps each answer as it was received, marks included.
                    let kept = try? await replica?.answer(id: entry.answerID)
                    rows.append(.init(entry: entry, marks: kept.map { AnswerMarks(cached: $0.cached, stale: $0.stale) }))
                }
                return HistoryListing(source: offline == nil ? "gateway" : "replica", rows: rows, offline: offline, replica: replica?.location)
            }
        }
        let db = try source.database.open()
        let subject = HistorySourceOptions.localSubject()
        let entries = try await db.history(query: q, limit: limit, subject: subject)
        let marks = try await db.answerMarks(ids: entries.map(\.answerID), subject: subject)
        return HistoryListing(source: "local", rows: entries.map { .init(entry: $0, marks: marks[$0.answerID]) })
    }
}

struct HistoryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one of your stored answers with its citations, as `ask` does.",
        discussion: "Exit status: 0 answered, 3 refused, 4 replayed from the replica (offline), 1 error, 2 bad input.")

    @OptionGroup var source: HistorySourceOptions

    @Flag(help: "Print the Answer wire object as JSON.")
    var json = false

    @Argument(help: "The answer id, as `bedside history` lists it.")
    var id: String

    func run() async throws {
        var offline: (reason: BedsideError, replica: String)?
        let answer = try await reportingErrors { () -> Answer in
            if let url = source.remote.url {
                return try await source.remote.withGateway(url, replica: source.replicaOptions) { gateway, replica in
                    let (answer, reason) = try await gateway.answer(id: id)
                    if let reason { offline = (reason, replica?.location ?? "") }
                    return answer
                }
            }
            let db = try source.database.open()
            guard let answer = try await db.answer(id: id, subject: HistorySourceOptions.localSubject()) else {
                throw BedsideError(.notFound, "No answer with id \(id) in your history (see `bedside history`).")
            }
            return answer
        }
        if let offline { Terminal.error(HistorySourceOptions.offlineNote(offline.reason, replica: offline.replica, what: "This answer comes")) }
        if json {
            print(try Terminal.json(answer))
        } else {
            print(HistoryListing.heading(answer))
            print("")
            print(AnswerFormatter.plain(answer, color: Terminal.stdoutUsesColor))
        }
        if offline != nil { throw ExitCode(4) }
        if answer.refused { throw ExitCode(3) }
    }
}
