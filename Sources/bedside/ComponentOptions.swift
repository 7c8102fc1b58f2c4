import ArgumentParser
import Core
import Foundation
import Inference
import Store

/// Which retriever, index and generator to use; defaults come from the configuration.
struct ComponentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Retriever: bm25 (default), vector or hybrid.", valueName: "kind"))
    var retriever: String?

    @Option(help: ArgumentHelp("Vector index for vector/hybrid retrieval: embedded (SQLite, default) or qdrant.", valueName: "kind"))
    var index: String?

    /// The wired-up components, and what to close afterwards.
    struct Setup: Sendable {
        var retriever: any Retriever
        var generator: any AnswerGenerator
        var sink: (any ChunkSink)?
        var componentChecks: [String: @Sendable () async -> String]
        var shutdown: @Sendable () -> Void

        func pipeline(_ db: BedsideDatabase) -> Pipeline {
            Pipeline(database: db, retriever: retriever, generator: generator, componentChecks: componentChecks)
        }
    }

    func setUp(database: BedsideDatabase) async throws -> Setup {
        let kind = retriever ?? "bm25"
        guard kind == "bm25" else {
            throw BedsideError(.config, "Retriever \(kind) needs an embedding server; set BEDSIDE_EMBED_URL (see `bedside doctor`).")
        }
        return Setup(retriever: BM25Retriever(database: database), generator: ExtractiveGenerator(), sink: nil,
                     componentChecks: [:], shutdown: {})
    }
}
