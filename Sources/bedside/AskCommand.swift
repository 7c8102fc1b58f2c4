import APIClient
import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import SQLiteStore
import TUI

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one question from the indexed sources, with numbered citations.",
        discussion: """
            Prints the answer, then its citations (title, section, score, excerpt). When \
            the sources do not support an answer, says so and lists the nearest sources \
            instead.

            The question goes through the gateway: an embedded one on loopback by default \
            (the same path as the console: cache, audit, history), or a running one with \
            --gateway URL and a token (--token or BEDSIDE_TOKEN).

            With --gateway, every answer and the documents it cites are kept in a replica \
            on this workstation; when the gateway cannot be reached, the replica's answer \
            to the same question is printed instead, marked stale and offline (exit 4).

            Exit status: 0 answered, 3 refused, 4 replayed from the replica (offline), \
            1 error, 2 bad input.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Option(name: .customLong("top-k"), help: "Passages to retrieve (1-50).")
    var topK = QueryRequest.defaultTopK

    @Option(
        name: .customLong("filter"),
        help: ArgumentHelp("Metadata filter key=value (repeatable), e.g. source_id=sepsis-initial-management.", valueName: "key=value"))
    var filters: [String] = []

    @OptionGroup var gatewayOptions: GatewayOptions

    @OptionGroup var remote: RemoteGatewayOptions

    @OptionGroup var replicaOptions: ReplicaOptions

    @Flag(name: .customLong("no-cache"), help: "Do not answer from the response cache (the fresh answer is still cached).")
    var noCache = false

    @Flag(help: "Print the Answer wire object as JSON.")
    var json = false

    @Argument(help: "The question.")
    var question: String

    func run() async throws {
        var replayNote: (reason: BedsideError, replica: String)?
        let answer = try await reportingErrors { () -> Answer in
            let request = try QueryRequest(question: question, filters: parsedFilters(), topK: topK).validated()
            if let gatewayURL = remote.url {
                return try await remote.withGateway(gatewayURL, replica: replicaOptions) { gateway, replica in
                    let result = try await Self.ask(request, gateway: gateway, noCache: noCache)
                    if let offline = result.offline, let replica { replayNote = (offline, replica.location) }
                    return result.answer
                }
            }
            let db = try database.open()
            return try await components.withSetUp(database: db) { setup in
                try await DemoCorpus.ingestIfEmpty(db, sink: setup.sink)
                let config = try gatewayOptions.configuration(databasePath: database.path)
                let embedded = try await EmbeddedGateway.start(
                    configuration: config, database: db, inference: setup.pipeline(db), subject: HistorySourceOptions.localSubject())
                return try await withCleanup {
                    try await RemoteGatewayOptions.withClient(embedded.baseURL, token: embedded.token) { client in
                        try await Self.ask(request, gateway: ReplicatingGateway(client: client, replica: nil), noCache: noCache).answer
                    }
                } cleanup: {
                    await embedded.stop()
                }
            }
        }
        if json {
            var value = try WireCoding.decoder().decode(JSONValue.self, from: WireCoding.encoder().encode(answer))
            if let replayNote, case .object(var object) = value {
                // Marked for scripts: offline, from which replica, and why.
                object["offline"] = .bool(true)
                object["replica"] = .string(replayNote.replica)
                object["offline_reason"] = .string(SecretRedaction.redact(replayNote.reason.message))
                value = .object(object)
            }
            print(try Terminal.json(value))
        } else {
            if let replayNote {
                // The reason may quote the gateway's URL or its error text: secrets hidden, controls escaped.
                let reason = AnswerFormatter.line(SecretRedaction.redact(replayNote.reason.message))
                print(
                    "[OFFLINE: \(reason) Replayed from the replica \(AnswerFormatter.line(replayNote.replica)): answered "
                        + "\(ISO8601DateFormatter().string(from: answer.createdAt)), index v\(answer.indexVersion), model \(AnswerFormatter.line(answer.model)). STALE.]"
                )
                print("")
            }
            print(AnswerFormatter.plain(answer, color: Terminal.stdoutUsesColor))
        }
        if replayNote != nil { throw ExitCode(4) }
        if answer.refused { throw ExitCode(3) }
    }

    /// Sends the question through a gateway and waits for the final answer, keeping it and its
    /// cited documents in the replica; when the gateway cannot answer, the replica's answer to
    /// the same question (with the reason).
    static func ask(_ request: QueryRequest, gateway: ReplicatingGateway, noCache: Bool) async throws -> (
        answer: Answer, offline: BedsideError?
    ) {
        do {
            var final: Answer?
            for try await event in gateway.client.query(request, noCache: noCache) {
                if case .done(let a) = event { final = a }
                if case .error(let e) = event { throw e }
            }
            guard let final else { throw BedsideError(.upstream, "The gateway closed the stream without an answer.") }
            await gateway.keep(final)
            return (final, nil)
        } catch let error as BedsideError where ReplicatingGateway.isOffline(error) && gateway.replica != nil {
            if let replayed = await gateway.replay(question: request.question) { return (replayed, error) }
            throw BedsideError(
                error.code, "\(error.message) The replica holds no answer to this question.", detail: error.detail,
                retryAfter: error.retryAfter)
        }
    }

    func parsedFilters() throws -> [String: String] {
        var out: [String: String] = [:]
        for f in filters {
            guard let eq = f.firstIndex(of: "="), eq != f.startIndex else {
                throw BedsideError(.badRequest, "A filter is key=value (got \"\(f)\").")
            }
            out[String(f[..<eq])] = String(f[f.index(after: eq)...])
        }
        return out
    }
}
