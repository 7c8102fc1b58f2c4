import AsyncHTTPClient
import Core
import SQLiteStore

/// Builds the configured retrievers, indexes, generator and ingest sink from a
/// `BedsideConfig`, so the CLI and the gateway wire components the same way.
public struct InferenceComponents: Sendable {
    public var config: BedsideConfig
    public var database: BedsideDatabase
    public var transport: any HTTPTransport

    static func seconds(_ s: Double) -> Duration { .milliseconds(Int64(s * 1000)) }

    /// The embedding client; a `config_error` when no embedding server is configured.
    public func embedder() throws -> OpenAIEmbeddingClient {
        guard let e = config.embeddings else {
            throw BedsideError(
                .config,
                "Vector retrieval needs an embedding server: set BEDSIDE_EMBED_URL (an OpenAI-style base URL ending in /v1) or [embeddings] url in \(config.configFile)."
            )
        }
        return OpenAIEmbeddingClient(
            baseURL: e.url, model: e.model, apiKey: e.apiKey, transport: transport, batchSize: e.batchSize,
            inputGuard: EmbeddingInputGuard(maxTokens: e.maxInputTokens),
            timeout: Self.seconds(config.timeouts.embeddings))
    }

    public func qdrantClient() throws -> QdrantClient {
        guard let q = config.qdrant else {
            throw BedsideError(
                .config, "The qdrant index needs a Qdrant server: set BEDSIDE_QDRANT_URL or [qdrant] url in \(config.configFile).")
        }
        return QdrantClient(baseURL: q.url, apiKey: q.apiKey, transport: transport, timeout: Self.seconds(config.timeouts.qdrant))
    }

    /// The vector index of `kind` (default: the configured one).
    public func vectorIndex(_ kind: IndexKind? = nil) throws -> any VectorIndex {
        switch kind ?? config.index {
        case .embedded: return SQLiteVectorIndex(database: database, model: try embedder().model)
        case .qdrant: return QdrantVectorIndex(client: try qdrantClient(), collection: config.qdrant?.collection ?? "bedside")
        }
    }

    /// The retriever of `kind` over the index of `index` (defaults: the configured ones).
    public func retriever(_ kind: RetrieverKind? = nil, index: IndexKind? = nil, lexicalWeight: Double = 1, semanticWeight: Double = 1) throws
        -> any Retriever
    {
        let lexical = BM25Retriever(database: database, useMemoryIndex: config.bm25Index == .memory)
        func vector() throws -> VectorRetriever { VectorRetriever(database: database, embedder: try embedder(), index: try vectorIndex(index)) }
        switch kind ?? config.retriever {
        case .bm25: return lexical
        case .vector: return try vector()
        case .hybrid: return HybridRetriever(lexical: lexical, semantic: try vector(), lexicalWeight: lexicalWeight, semanticWeight: semanticWeight)
        }
    }

    /// The LLM generator when an LLM is configured, else the extractive one.
    public func generator() -> any AnswerGenerator {
        guard let l = config.llm else { return ExtractiveGenerator() }
        return LLMGenerator(client: chatClient(l))
    }

    public func chatClient(_ l: BedsideConfig.LLM) -> OpenAIChatClient {
        OpenAIChatClient(
            baseURL: l.url, model: l.model, apiKey: l.apiKey, transport: transport, timeouts: config.timeouts.chat,
            maxTokens: l.maxTokens, temperature: l.temperature)
    }

    /// The ingest sink that embeds new chunks into the index of `index`; nil when no
    /// embedding server is configured (BM25 needs no vectors).
    public func indexer(index: IndexKind? = nil) throws -> EmbeddingIndexer? {
        guard config.embeddings != nil else { return nil }
        return EmbeddingIndexer(embedder: try embedder(), index: try vectorIndex(index))
    }
}

/// In an extension, so the memberwise init (with a `transport`, for tests) stays.
extension InferenceComponents {
    public init(config: BedsideConfig, database: BedsideDatabase, httpClient: HTTPClient) {
        self.init(config: config, database: database, transport: AsyncHTTPClientTransport(client: httpClient))
    }
}
