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
        public var maxTokens = 256
        public var temperature = 0.2
    }

    public struct Embeddings: Sendable, Hashable {
        public var url: String
        public var model: String
        public var apiKey: String?
        public var batchSize = 32
        public var maxInputTokens = 512
    }

    public struct Qdrant: Sendable, Hashable {
        public var url: String
        public var apiKey: String?
        public var collection = "bedside"
    }

    public struct Timeouts: Sendable, Hashable {
        public var connect: Double = 10
        public var firstToken: Double = 60
        public var total: Double = 180
        public var embeddings: Double = 120
        public var qdrant: Double = 30

        public var chat: ChatTimeouts {
            ChatTimeouts(
                connect: InferenceComponents.seconds(connect), firstToken: InferenceComponents.seconds(firstToken),
                total: InferenceComponents.seconds(total))
        }
    }

    /// Nil when not configured (then the extractive generator answers).
    public var llm: LLM?
    /// Nil when not configured (then only BM25 retrieval is available).
    public var embeddings: Embeddings?
    /// Nil when not configured (then only the embedded index is available).
    public var qdrant: Qdrant?
    public var retriever: RetrieverKind = .bm25
    public var index: IndexKind = .embedded
    public var bm25Index: BM25IndexKind = .memory
    public var timeouts = Timeouts()
    /// The file the settings came from, when one was read.
    public var sourceFile: String?
    /// `sourceFile`, else where it was looked for: where messages tell the user to set a key.
    public var configFile = "config.toml"

    /// Default model names when a URL is given without one.
    public static let defaultLLMModel = "SmolLM2-135M-Instruct"
    public static let defaultEmbeddingModel = "all-MiniLM-L6-v2"

    /// `$XDG_CONFIG_HOME/bedside/config.toml`, else `~/.config/bedside/config.toml`.
    public static func defaultPath(environment: [String: String]) -> String {
        StoreLocation.configDirectory(environment: environment) + "/config.toml"
    }
}
