import ArgumentParser
import Core
import Foundation
import Inference
import Store

struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer one question from the indexed sources, with numbered citations.",
        discussion: """
            Prints the answer, then its citations (title, section, score, excerpt). When the
            sources do not support an answer, says so and lists the nearest sources instead.
            Exit status: 0 answered, 3 refused, 1 error.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Option(name: .customLong("top-k"), help: "Passages to retrieve (1-50).")
    var topK = QueryRequest.defaultTopK

    @Option(name: .customLong("filter"), help: ArgumentHelp("Metadata filter key=value (repeatable), e.g. source_id=sepsis-initial-management.", valueName: "key=value"))
    var filters: [String] = []

    @Flag(help: "Print the Answer wire object as JSON.")
    var json = false

    @Argument(help: "The question.")
    var question: String

    func run() async throws {
        let answer = try await reportingErrors { () -> Answer in
            let request = try QueryRequest(question: question, filters: parsedFilters(), topK: topK).validated()
            let db = try database.open()
            let setup = try await components.setUp(database: db)
            defer { setup.shutdown() }
            try await DemoCorpus.ingestIfEmpty(db, sink: setup.sink)
            let answer = try await setup.pipeline(db).complete(request)
            return try db.saveAnswer(answer, subject: ProcessInfo.processInfo.environment["USER"] ?? "local")
        }
        if json {
            print(String(decoding: try WireCoding.encoder(pretty: true).encode(answer), as: UTF8.self))
        } else {
            print(AnswerFormatter.plain(answer, color: Terminal.stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil))
        }
        if answer.refused { throw ExitCode(3) }
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
