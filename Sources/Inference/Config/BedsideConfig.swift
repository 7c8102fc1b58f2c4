import Core
import Foundation
import SQLiteStore

/// Which retriever answers questions.
public enum RetrieverKind: String, Hashable, ConfigChoice {
    case bm25, vector, hybrid
}

/// Where chunk vectors live.
public enum IndexKind: String, Hashable, ConfigChoice {
    case embedded, qdrant
}

/// Where BM25 is computed: the in-memory copy of the index (default) or FTS5 itself (same
/// ranking; for comparison, `bench/retrieval.sh`).
public enum BM25IndexKind: String, Hashable, ConfigChoice {
    case memory, fts5
}

/// Bedside's settings for real components, resolved by `ConfigLayers` (defaults < config file <
/// `BEDSIDE_*` variables < flags; the keys are in `BedsideConfig+Settings.swift`).
///
/// ```toml
/// retriever = "hybrid"        # bm25 | vector | hybrid
/// index = "embedded"          # embedded | qdrant
///
/// [llm]
/// url = "http://127.0.0.1:8081/v1"
/// model = "SmolLM2-135M-Instruct"
/// api_key = "…"               # or BEDSIDE_OPENAI_API_KEY
///
/// [embeddings]
/// url = "http://127.0.0.1:8082/v1"
/// model = "all-MiniLM-L6-v2"
/// batch_size = 32
/// max_input_tokens = 512
///
/// [qdrant]
/// url = "http://127.0.0.1:6333"
/// api_key = "…"
/// collection = "bedside"
///
/// [timeouts]                  # seconds
/// connect = 10
/// first_token = 60
/// total = 180
/// embeddings = 120
/// qdrant = 30
/// ```
public struct BedsideConfig: Sendable, Hashable {
    public struct LLM: Sendable, Hashable {
        /// OpenAI-style base URL ending in `/v1`.
        public var url: String
        public var model: String
        public var apiKey: String?
        public var maxTokens: Int
        public var temperature: Double
        public init(url: String, model: String, apiKey: String? = nil, maxTokens: Int = 256, temperature: Double = 0.2) {
            self.url = url
            self.model = model
            self.apiKey = apiKey
            self.maxTokens = maxTokens
            self.temperature = temperature
        }
    }

    public struct Embeddings: Sendable, Hashable {
        public var url: String
        public var model: String
        public var apiKey: String?
        public var batchSize: Int
        public var maxInputTokens: Int
        public init(url: String, model: String, apiKey: String? = nil, batchSize: Int = 32, maxInputTokens: Int = 512) {
            self.url = url
            self.model = model
            self.apiKey = apiKey
            self.batchSize = batchSize
            self.maxInputTokens = maxInputTokens
        }
    }

    public struct Qdrant: Sendable, Hashable {
        public var url: String
        public var apiKey: String?
        public var collection: String
        public init(url: String, apiKey: String? = nil, collection: String = "bedside") {
            self.url = url
            self.apiKey = apiKey
            self.collection = collection
        }
    }

    public struct Timeouts: Sendable, Hashable {
        public var connect: Double = 10
        public var firstToken: Double = 60
        public var total: Double = 180
        public var embeddings: Double = 120
        public var qdrant: Double = 30
        public init() {}

        public var chat: ChatTimeouts {
            ChatTimeouts(
                connect: .milliseconds(Int64(connect * 1000)), firstToken: .milliseconds(Int64(firstToken * 1000)),
                total: .milliseconds(Int64(total * 1000)))
        }
    }

    /// Nil when not configured (then the extractive generator answers).
    public var llm: LLM?
    /// Nil when not configured (then only BM25 retrieval is available).
    public var embeddings: Embeddings?
    /// Nil when not configured (then only the embedded index is available).
    public var qdrant: Qdrant?
    public var retriever: RetrieverKind
    public var index: IndexKind
    public var bm25Index: BM25IndexKind = .memory
    public var timeouts: Timeouts
    /// The file the settings came from, when one was read.
    public var sourceFile: String?
    /// `sourceFile`, else where it was looked for: where messages tell the user to set a key.
    public var configFile = "config.toml"

    public init(
        llm: LLM? = nil, embeddings: Embeddings? = nil, qdrant: Qdrant? = nil, retriever: RetrieverKind = .bm25,
        index: IndexKind = .embedded, timeouts: Timeouts = Timeouts(), sourceFile: String? = nil
    ) {
        self.llm = llm
        self.embeddings = embeddings
        self.qdrant = qdrant
        self.retriever = retriever
        self.index = index
        self.timeouts = timeouts
        self.sourceFile = sourceFile
    }

    /// Default model names when a URL is given without one.
    public static let defaultLLMModel = "SmolLM2-135M-Instruct"
    public static let defaultEmbeddingModel = "all-MiniLM-L6-v2"

    /// `$XDG_CONFIG_HOME/bedside/config.toml`, else `~/.config/bedside/config.toml`.
    public static func defaultPath(environment: [String: String]) -> String {
        StoreLocation.configDirectory(environment: environment) + "/config.toml"
    }
}
