import ArgumentParser
import Core
import Foundation
import Inference
import SQLiteStore

/// `bedside check`: runs the citation checker on an answer text of your own.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an answer text against the sources retrieved for a question, sentence by sentence.",
        discussion: """
            Retrieves passages for the question (the same retriever and options as `ask`), \
            numbers them as the LLM prompt would, and checks the answer text in FILE as if the \
            LLM had written it: each sentence is supported (a source it cites, or the best \
            source, backs its content, quantities with units, negation and direction), \
            reattributed (its citation does not back it, another source does), unsupported, \
            removed (unsupported and states a quantity), or dropped (no content of its own, \
            or a repeat). Prints each sentence's verdict, citations and reason, then the \
            answer as it would be shown.

            FILE is a text file with [n] markers, or - for standard input. No LLM is called. \
            Exit status: 0 checked, 1 error, 2 bad input.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Option(help: "The question the answer was written for.")
    var question: String

    @Option(help: ArgumentHelp("File with the answer text to check (- for standard input).", valueName: "file"))
    var answer: String

    @Option(name: .customLong("top-k"), help: "Passages to retrieve (1-50); the prompt numbers at most 5 of them.")
    var topK = QueryRequest.defaultTopK

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let report = try await reportingErrors { () -> AnswerCheck.Report in
            let request = try QueryRequest(question: question, topK: topK).validated()
            let text =
                answer == "-"
                ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                : try? String(contentsOfFile: answer, encoding: .utf8)
            guard let text else { throw BedsideError(.badRequest, "Cannot read the answer file \(answer).") }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw BedsideError(.badRequest, "The answer file \(answer) is empty.")
            }
            let db = try database.open()
            return try await components.withSetUp(database: db) { setup in
                try await DemoCorpus.ingestIfEmpty(db, sink: setup.sink)
                let passages = try await setup.retriever.retrieve(request.question, topK: request.topK, filters: [:])
                return AnswerCheck.run(question: request.question, text: text, passages: passages)
            }
        }
        if json {
            print(try Terminal.json(report))
        } else {
            print(Self.plain(report))
        }
    }

    /// The report for a terminal: the answer file, titles and sections are shown through
    /// `TerminalText`, so neither the file nor a document can act on the terminal.
    static func plain(_ r: AnswerCheck.Report) -> String {
        let line: (String) -> String = AnswerFormatter.line
        var out = "Sources (numbered as in the LLM prompt):\n"
        if r.sources.isEmpty { out += "  none retrieved\n" }
        for s in r.sources { out += "  [\(s.n)] \(line(s.title))\(s.section.isEmpty ? "" : " › " + line(s.section))  (\(line(s.sourceID)))\n" }
        out += "\nSentences:\n"
        for s in r.sentences {
            let written = s.writtenCitations.isEmpty ? "uncited" : s.writtenCitations.map { "[\($0)]" }.joined()
            let final = s.citations.isEmpty ? "" : " → " + s.citations.map { "[\($0)]" }.joined()
            out += "  \(s.verdict.uppercased())  \(written)\(final)  \(line(s.text))\n"
            if !s.reason.isEmpty { out += "      reason: \(line(s.reason))\n" }
        }
        if !r.removedCitations.isEmpty {
            out += "\nCitations that pointed at no source: " + r.removedCitations.map { "[\($0)]" }.joined(separator: " ") + "\n"
        }
        out += "\nAs shown:\n" + (r.answer.isEmpty ? "(nothing)" : TerminalText.safe(r.answer)) + "\n"
        if r.fallsBack {
            out += "\nThe answering sentence is not supported: Bedside would quote the sources instead (or refuse if none covers the question).\n"
        }
        return out
    }
}
