import ArgumentParser
import AsyncHTTPClient
import Core
import Foundation
import Inference
import SQLiteStore

/// Which retriever, index and generator to use: these flags override `config.toml` and the
/// `BEDSIDE_*` variables (one layer: `Settings`).
struct ComponentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Retriever (default bm25; vector and hybrid need an embedding server).", valueName: "kind"))
    var retriever: RetrieverKind?

    @Option(help: ArgumentHelp("Vector index for vector/hybrid retrieval: embedded (SQLite, default) or qdrant.", valueName: "kind"))
    var index: IndexKind?

    /// The wired-up components, and what to close afterwards.
    struct Setup: Sendable {
        var config: BedsideConfig
        var retriever: any Retriever
        var generator: any AnswerGenerator
        /// Embeds newly ingested chunks into the chosen vector index; nil without an embedding server.
        var sink: (any ChunkSink)?
        var componentChecks: [String: @Sendable () async -> String]
        /// The factory the components came from; nil when nothing is configured.
        var components: InferenceComponents?
        /// Closes the network client (awaited: AsyncHTTPClient's `syncShutdown` must not run in async code).
        var shutdown: @Sendable () async -> Void
        /// Embeds chunks already in the database that the chosen index lacks; 0 without a sink.
        var backfill: @Sendable (_ progress: (@Sendable (Int, Int) -> Void)?) async throws -> Int

        /// Whether retrieval reads vectors (vector or hybrid).
        var usesVectors: Bool { config.retriever != .bm25 }

        func pipeline(_ db: BedsideDatabase) -> Pipeline {
            // Load the in-memory BM25 copy in the background: the gateway is ready at once, and
            // the first question finds the index loaded (or joins the load already running).
            if config.retriever != .vector { Task.detached(priority: .utility) { await BM25Index.shared(for: db).warm() } }
            return Pipeline(database: db, retriever: retriever, generator: generator, componentChecks: componentChecks)
        }
    }

    /// These flags by `ConfigKey.dotted` (argument-parser has checked their values).
    var flags: [String: String] { Settings.flags([BedsideConfig.Keys.retriever: retriever?.rawValue, BedsideConfig.Keys.index: index?.rawValue]) }

    /// The configuration with this command line's overrides applied and checked.
    func resolvedConfig(environment: [String: String] = Settings.environment) throws -> BedsideConfig {
        let config = try BedsideConfig(layers: Settings.layers(flags: flags, environment: environment))
        if config.retriever != .bm25, config.embeddings == nil {
            throw BedsideError(
                .config,
                "The \(config.retriever.rawValue) retriever needs an embedding server: set BEDSIDE_EMBED_URL (an OpenAI-style base URL ending in /v1) or [embeddings] url in \(config.configFile), then run `bedside doctor` to check it."
            )
        }
        if config.index == .qdrant, config.qdrant == nil {
            throw BedsideError(
                .config,
                "The qdrant index needs a Qdrant server: set BEDSIDE_QDRANT_URL (e.g. http://127.0.0.1:6333) or [qdrant] url in \(config.configFile), then run `bedside doctor` to check it."
            )
        }
        if config.index == .qdrant, config.embeddings == nil {
            throw BedsideError(
                .config,
                "The qdrant index holds embedding vectors, so it needs an embedding server: set BEDSIDE_EMBED_URL or [embeddings] url in \(config.configFile), then run `bedside doctor` to check it."
            )
        }
        return config
    }

    /// Wires retriever, generator, ingest sink and readiness checks from the configuration.
    /// With nothing configured: BM25, extractive answers, no sink, no network client.
    /// - Parameter adjust: a last change to the resolved configuration (eval uses its own Qdrant collection).
    func setUp(database: BedsideDatabase, adjust: (inout BedsideConfig) -> Void = { _ in }) async throws -> Setup {
        var config = try resolvedConfig()
        adjust(&config)
        guard config.llm != nil || config.embeddings != nil || config.qdrant != nil else {
            return Setup(
                config: config, retriever: BM25Retriever(database: database, useMemoryIndex: config.bm25Index == .memory),
                generator: ExtractiveGenerator(), sink: nil,
                componentChecks: [:], components: nil, shutdown: {}, backfill: { _ in 0 })
        }
        let http = BedsideHTTPClient.make(connectTimeoutSeconds: max(1, Int64(config.timeouts.connect.rounded(.up))))
        let shutdown: @Sendable () async -> Void = { try? await http.shutdown() }
        do {
            let components = InferenceComponents(config: config, database: database, httpClient: http)
            let indexer = try components.indexer()
            let checks = Doctor(config: config, databasePath: database.path, httpClient: http).componentChecks()
            let setup = Setup(
                config: config, retriever: try components.retriever(), generator: components.generator(), sink: indexer,
                componentChecks: checks, components: components, shutdown: shutdown,
                backfill: { progress in try await indexer?.backfill(database: database, progress: progress) ?? 0 })
            if setup.usesVectors { await Self.backfillQuietly(setup) }
            return setup
        } catch {
            await shutdown()
            throw error
        }
    }

    /// Sets the components up, runs `body` with them and awaits their shutdown on every path.
    func withSetUp<T>(
        database: BedsideDatabase, isolation: isolated (any Actor)? = #isolation, _ body: (Setup) async throws -> T
    ) async throws -> T {
        let setup = try await setUp(database: database)
        return try await withCleanup {
            try await body(setup)
        } cleanup: {
            await setup.shutdown()
        }
    }

    /// Vector retrieval over a database ingested before vectors were configured finds
    /// nothing, so missing vectors are embedded first. A failure here (the index or the
    /// embedding server is down) is only a warning: the question still goes through the
    /// gateway, which reports the failure or serves a stale cached answer.
    static func backfillQuietly(_ setup: Setup) async {
        do {
            let n = try await setup.backfill { done, total in Terminal.progress("Embedding passages missing from the vector index: \(done)/\(total)")
            }
            if n > 0 {
                Terminal.endProgress()
                Terminal.error("Embedded \(n) passages that the \(setup.config.index.rawValue) vector index lacked.")
            }
        } catch {
            Terminal.endProgress()
            Terminal.error(
                "warning: could not bring the \(setup.config.index.rawValue) vector index up to date: \((error as? BedsideError)?.message ?? "\(error)")"
            )
        }
    }
}
