import ArgumentParser
import Core
import Foundation
import Inference
import Store

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add documents to the index: folders of .md/.txt files, or .jsonl corpora.",
        discussion: """
            A .jsonl file holds one {"id","title","text","metadata"} object per line.
            Unchanged documents are skipped; changed ones have their passages replaced.
            Every ingest that changes something bumps the index version.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Argument(help: ArgumentHelp("Files or folders to ingest.", valueName: "path"))
    var paths: [String]

    func run() async throws {
        try await reportingErrors {
            let db = try database.open()
            let setup = try await components.setUp(database: db)
            defer { setup.shutdown() }
            var summary = try await Ingestor(database: db, sink: setup.sink).ingest(paths: paths) { p in
                if p.phase == "reading" {
                    Terminal.progress("Reading files \(p.filesDone)/\(p.filesTotal) (\(p.documents) documents)")
                } else {
                    Terminal.progress("Indexing \(p.documents) documents, \(p.chunks) passages")
                }
            }
            if setup.sink != nil {
                // Unchanged documents are skipped above; their passages still need vectors in
                // this index (ingested before embeddings were configured, or into another index).
                let started = Date()
                summary.embedded += try await setup.backfill { done, total in Terminal.progress("Embedding earlier passages \(done)/\(total)") }
                summary.seconds += Date().timeIntervalSince(started)
            }
            Terminal.endProgress()
            if json {
                print(String(decoding: try WireCoding.encoder(pretty: true).encode(summary), as: UTF8.self))
            } else {
                print(
                    "Ingested \(summary.documents) documents from \(summary.files) files: \(summary.added) added, \(summary.replaced) replaced, \(summary.unchanged) unchanged."
                )
                print(
                    "\(summary.chunks) passages written\(summary.embedded > 0 ? ", \(summary.embedded) embedded into the \(setup.config.index.rawValue) vector index" : ""); index version \(summary.indexVersion); \(String(format: "%.2f", summary.seconds)) s."
                )
            }
        }
    }
}
