import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import Store
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

            Exit status: 0 answered, 3 refused, 1 error, 2 bad input.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Option(name: .customLong("top-k"), help: "Passages to retrieve (1-50).")
    var topK = QueryRequest.defaultTopK

    @Option(name: .customLong("filter"), help: ArgumentHelp("Metadata filter key=value (repeatable), e.g. source_id=sepsis-initial-management.", valueName: "key=value"))
    var filters: [String] = []

    @OptionGroup var gatewayOptions: GatewayOptions

    @OptionGroup var remote: RemoteGatewayOptions

    @Flag(name: .customLong("no-cache"), help: "Do not answer from the response cache (the fresh answer is still cached).")
    var noCache = false

    @Flag(help: "Print the Answer wire object as JSON.")
    var json = false

    @Argument(help: "The question.")
    var question: String

    func run() async throws {
        let answer = try await reportingErrors { () -> Answer in
            let request = try QueryRequest(question: question, filters: parsedFilters(), topK: topK).validated()
            if let gatewayURL = remote.url {
                let token = try remote.resolvedToken()
                return try await Self.ask(request, gatewayURL: gatewayURL, token: token, noCache: noCache)
            }
            let db = try database.open()
            let setup = try await components.setUp(database: db)
            defer { setup.shutdown() }
            try await DemoCorpus.ingestIfEmpty(db, sink: setup.sink)
            let config = try gatewayOptions.configuration(databasePath: database.path)
            let embedded = try await EmbeddedGateway.start(configuration: config, database: db, inference: setup.pipeline(db))
            do {
                let answer = try await Self.ask(request, gatewayURL: embedded.baseURL, token: embedded.token, noCache: noCache)
                await embedded.stop()
                return answer
            } catch {
                await embedded.stop()
                throw error
            }
        }
        if json {
            print(String(decoding: try WireCoding.encoder(pretty: true).encode(answer), as: UTF8.self))
        } else {
            print(AnswerFormatter.plain(answer, color: Terminal.stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil))
        }
        if answer.refused { throw ExitCode(3) }
    }

    /// Sends the question through a gateway and waits for the final answer.
    static func ask(_ request: QueryRequest, gatewayURL: String, token: String, noCache: Bool) async throws -> Answer {
        let http = GatewayClient.makeHTTPClient()
        do {
            let client = GatewayClient(baseURL: gatewayURL, token: token, httpClient: http)
            var final: Answer?
            for try await event in client.query(request, noCache: noCache) {
                if case .done(let a) = event { final = a }
                if case .error(let e) = event { throw e }
            }
            try? await http.shutdown()
            guard let final else { throw BedsideError(.upstream, "The gateway closed the stream without an answer.") }
            return final
        } catch {
            try? await http.shutdown()
            throw error
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
