import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import SQLiteStore

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add documents to the index: folders of .md/.txt files, or .jsonl corpora.",
        discussion: """
            A .jsonl file holds one {"id","title","text","metadata"} object per line.
            Unchanged documents are skipped; changed ones have their passages replaced.
            Every ingest that changes something bumps the index version.
            Symbolic links inside a folder are not followed (each is named in a warning).
            A file with a NUL character in an id, title or text is refused whole.
            Documents are committed in batches: if an ingest stops (a full disk, say),
            running the same command again resumes where it stopped.
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
            try await components.withSetUp(database: db) { setup in
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
                    do {
                        summary.embedded += try await setup.backfill { done, total in Terminal.progress("Embedding earlier passages \(done)/\(total)")
                        }
                    } catch let error as BedsideError {
                        let note =
                            " Every document was committed; embedding earlier passages stopped. Run the same `bedside ingest` again to resume."
                        throw BedsideError(error.code, error.message + note, detail: error.detail)
                    }
                    summary.seconds += Date().timeIntervalSince(started)
                }
                Terminal.endProgress()
                for link in summary.skippedLinkDetails {
                    let safe = AuditExport.terminalSafe
                    let place = link.outside ? "points outside the folder" : "links inside the folder"
                    Terminal.error("warning: skipped symbolic link \(safe(link.link)) -> \(safe(link.target)) (\(place); links are not followed).")
                }
                if json {
                    print(try Terminal.json(summary))
                } else {
                    let links =
                        summary.skippedLinks > 0 ? " \(summary.skippedLinks) symbolic link\(summary.skippedLinks == 1 ? "" : "s") skipped." : ""
                    print(
                        "Ingested \(summary.documents) documents from \(summary.files) files: \(summary.added) added, \(summary.replaced) replaced, \(summary.unchanged) unchanged.\(links)"
                    )
                    print(
                        "\(summary.chunks) passages written\(summary.embedded > 0 ? ", \(summary.embedded) embedded into the \(setup.config.index.rawValue) vector index" : ""); index version \(summary.indexVersion); \(String(format: "%.2f", summary.seconds)) s."
                    )
                }
            }
        }
    }
}
