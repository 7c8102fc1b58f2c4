import ArgumentParser
import Core
import Foundation
import LocalGateway
import SQLiteStore
import SharedState

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: who asked what, when, and which sources they were shown.",
        discussion: """
            Reads the database file directly, or the shared PostgreSQL store with --store. The table escapes control and text-direction \
            characters in questions (shown as \\u{…}) so a question cannot act on your \
            terminal; --json and --format print the stored text exactly into a file or a pipe (on a \
            terminal, --format escapes them too). `bedside audit \
            verify` checks the hash chain, its head and signed checkpoints (`bedside audit checkpoint`), \
            and names the first row edited or the rows deleted.
            """,
        subcommands: [Show.self, Verify.self, Checkpoint.self],
        defaultSubcommand: Show.self
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print audit rows (the default).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var store: StoreOptions

        @Option(help: "How many of the newest rows to show in the table or --json (ignored by --format, which exports every match).")
        var limit = 50

        @Option(
            help: ArgumentHelp("Only rows at or after this time: ISO 8601 (2026-12-01, 2026-12-01T08:00:00Z) or an age (12h, 7d).", valueName: "time")
        )
        var since: String?

        @Option(help: ArgumentHelp("Only rows before this time (same forms as --since).", valueName: "time"))
        var until: String?

        @Option(help: "Only rows of this subject.")
        var subject: String?

        @Option(help: ArgumentHelp("Export every matching row, oldest first, as jsonl or csv.", valueName: "format"))
        var format: AuditExport.Format?

        @Flag(help: "Print a JSON array (newest first, up to --limit).")
        var json = false

        func run() async throws {
            try await reportingErrors {
                var query = AuditQuery(subject: subject)
                let now = Date()
                if let since { query.since = try AuditExport.parseTime(since, now: now, name: "--since") }
                if let until { query.until = try AuditExport.parseTime(until, now: now, name: "--until") }
                let db = try await store.open(database: database)
                if let f = format {
                    // Exact into a file or a pipe; on a terminal a stored question's ESC, C1 and
                    // bidi characters are shown escaped, as everywhere else, never acted on.
                    let out = FileHandle.standardOutput
                    let shown: (String) -> String = Terminal.stdoutIsTTY ? { TerminalText.safe($0, .block) } : { $0 }
                    out.write(Data(shown(AuditExport.header(f)).utf8))
                    try await db.forEachAuditPage(query) { rows in out.write(Data(shown(try AuditExport.lines(rows, f)).utf8)) }
                    return
                }
                query.limit = max(1, limit)
                let rows = try await db.auditRecords(query)
                if json {
                    print(try Terminal.json(rows))
                    return
                }
                let safe = AuditExport.terminalSafe
                for r in rows {
                    let flags = [r.cached ? "cached" : nil, r.stale ? "stale" : nil].compactMap { $0 }.joined(separator: ",")
                    let ref = r.refID.map { " (completes #\($0))" } ?? ""
                    print(
                        "#\(r.id ?? 0)  \(AuditExport.timestamp(r.at))  \(safe(r.subject))  \(safe(r.outcome))\(flags.isEmpty ? "" : " (\(flags))")\(ref)  v\(r.indexVersion) \(safe(r.model))"
                    )
                    print("    \(safe(r.question))")
                    if !r.detail.isEmpty { print("    \(safe(r.detail))") }
                    if !r.sources.isEmpty { print("    sources: \(safe(r.sources.joined(separator: ", ")))") }
                }
            }
        }
    }
}
