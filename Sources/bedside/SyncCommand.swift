import APIClient
import ArgumentParser
import Core
import Foundation
import SQLiteStore
import TUI

/// `bedside sync`: pulls this subject's answers, and the documents they cite, from a
/// gateway into the workstation replica, so they replay with no network.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Copy your answers and the documents they cite from a gateway into this workstation's replica.",
        discussion: """
            Pulls the token subject's answers (GET /v1/answers, page by page) and every \
            document they cite (GET /v1/sources) into the replica the console and `ask \
            --gateway` use, so they replay offline, e.g. before taking a laptop where there \
            is no network. Only your own answers are listed; the replica is kept per gateway \
            and subject.

            Idempotent and resumable: answers already held are replaced by the gateway's copy, \
            documents already held are not fetched again, and after a cut connection the same \
            command continues after the last page it kept whole. A progress bar shows on a terminal; a summary (answers, \
            documents, bytes) is printed at the end (--json too).

            Exit status: 0 synced, 1 error or interrupted (run again to resume), 2 bad input.
            """
    )

    @OptionGroup var remote: RemoteGatewayOptions
    @OptionGroup var replicaOptions: ReplicaOptions

    @Option(help: ArgumentHelp("Only answers from this long ago (30d, 12h) or since this ISO 8601 time; all when omitted.", valueName: "when"))
    var since: String?

    @Option(name: .customLong("page-size"), help: ArgumentHelp("Answers per request (1-500).", valueName: "n"))
    var pageSize = 100

    @Flag(help: "Print the summary as JSON: {answers, new_answers, documents, bytes, replica, gateway}.")
    var json = false

    struct Summary: Encodable {
        var answers = 0
        var newAnswers = 0
        var documents = 0
        var bytes = 0
        var replica = ""
        var gateway = ""
        var replicaAnswers = 0
        var replicaBytes: Int64 = 0
        /// Continued an interrupted sync instead of starting over.
        var resumed = false

        enum CodingKeys: String, CodingKey {
            case answers, documents, bytes, replica, gateway, resumed
            case newAnswers = "new_answers"
            case replicaAnswers = "replica_answers"
            case replicaBytes = "replica_bytes"
        }
    }

    func run() async throws {
        let summary = try await reportingErrors { () -> Summary in
            guard let gatewayURL = remote.url else {
                throw BedsideError(.badRequest, "sync needs --gateway URL (the gateway to copy your answers from).")
            }
            guard (1...500).contains(pageSize) else { throw BedsideError(.badRequest, "--page-size must be between 1 and 500.") }
            guard !replicaOptions.noReplica else { throw BedsideError(.badRequest, "--no-replica leaves nothing to sync into.") }
            let token = try remote.resolvedTokenAndSource().token
            let (identity, path) = try ReplicaOptions.file(gatewayURL: gatewayURL, token: token)
            let ca = try remote.resolvedCACertificate()
            do {
                return try await RemoteGatewayOptions.withClient(gatewayURL, token: token, caCertificatePath: ca) { client in
                    // A new replica is created only once the gateway has accepted the token.
                    if !FileManager.default.fileExists(atPath: path) { _ = try await client.answers(since: since, cursor: nil, limit: 1) }
                    let replica = try Replica.open(path: path, identity: identity, limits: try replicaOptions.limits())
                    return try await pull(ReplicatingGateway(client: client, replica: replica), replica: replica)
                }
            } catch {
                Terminal.endProgress()
                throw error
            }
        }
        if json {
            print(try Terminal.json(summary))
        } else {
            if summary.resumed { print("Resumed the interrupted sync.") }
            print(
                "Synced \(summary.answers) answers (\(summary.newAnswers) new) and \(summary.documents) documents "
                    + "(\(Self.formatBytes(summary.bytes))) from \(summary.gateway).")
            print("Replica: \(summary.replica) (\(summary.replicaAnswers) answers, \(Self.formatBytes(Int(summary.replicaBytes))) on disk).")
        }
    }

    private func pull(_ gateway: ReplicatingGateway, replica: Replica) async throws -> Summary {
        var summary = Summary(replica: replica.location, gateway: gateway.client.displayAddress)
        // An interrupted sync with the same --since continues after the last page it kept whole.
        let sinceKey = since ?? ""
        var cursor = try await replica.syncCursor(since: sinceKey)
        summary.resumed = cursor != nil
        let encoder = WireCoding.encoder()
        func stopped(_ e: BedsideError) -> BedsideError {
            BedsideError(e.code, "\(e.message) Sync stopped after \(summary.answers) answers; run it again to resume.", detail: e.detail)
        }
        repeat {
            let page: AnswerListPage
            do {
                page = try await gateway.client.answers(since: since, cursor: cursor, limit: pageSize)
            } catch let e as BedsideError {
                throw summary.answers > 0 ? stopped(e) : e
            }
            for answer in page.items {
                if let id = answer.answerID, !(try await replica.holdsAnswer(id: id)) { summary.newAnswers += 1 }
                let kept = await gateway.keep(answer)
                if let failure = kept.failures.first(where: ReplicatingGateway.isOffline) { throw stopped(failure) }
                summary.answers += 1
                summary.documents += kept.documents
                summary.bytes += kept.bytes + ((try? encoder.encode(answer).count) ?? 0)
                Terminal.progress(Self.bar(done: summary.answers, total: page.total, documents: summary.documents, bytes: summary.bytes))
            }
            cursor = page.nextCursor
            try await replica.saveSyncCursor(cursor, since: sinceKey)
        } while cursor != nil
        Terminal.endProgress()
        try await replica.markSynced()
        let after = try await replica.summary()
        summary.replicaAnswers = after.answers
        summary.replicaBytes = after.fileBytes
        return summary
    }

    /// `Syncing [#########-----------]  42/100 answers, 12 documents, 1.2 MB`
    static func bar(done: Int, total: Int?, documents: Int, bytes: Int) -> String {
        let tail = "\(documents) documents, \(formatBytes(bytes))"
        guard let total, total > 0 else { return "Syncing \(done) answers, \(tail)" }
        let width = 24
        let filled = min(width, done * width / total)
        return "Syncing [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            + "] \(done)/\(total) answers, \(tail)"
    }

    static func formatBytes(_ n: Int) -> String {
        if n < 1024 { return "\(n) bytes" }
        if n < 1 << 20 { return String(format: "%.1f KB", Double(n) / 1024) }
        return String(format: "%.1f MB", Double(n) / Double(1 << 20))
    }
}
