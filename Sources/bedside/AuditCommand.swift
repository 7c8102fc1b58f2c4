import ArgumentParser
import Core
import Foundation
import Store

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: who asked what, when, and which sources they were shown."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "How many of the newest rows to show.")
    var limit = 50

    @Flag(help: "Print a JSON array.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let rows = try database.open().auditRecords(limit: max(1, limit))
            if json {
                print(String(decoding: try WireCoding.encoder(pretty: true).encode(rows), as: UTF8.self))
                return
            }
            let f = ISO8601DateFormatter()
            for r in rows {
                let flags = [r.cached ? "cached" : nil, r.stale ? "stale" : nil].compactMap { $0 }.joined(separator: ",")
                print("\(f.string(from: r.at))  \(r.subject)  \(r.outcome)\(flags.isEmpty ? "" : " (\(flags))")  v\(r.indexVersion) \(r.model)")
                print("    \(r.question)")
                if !r.sources.isEmpty { print("    sources: \(r.sources.joined(separator: ", "))") }
            }
        }
    }
}
