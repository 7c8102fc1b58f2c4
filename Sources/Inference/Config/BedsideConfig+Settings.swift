import Core
import Foundation

/// The inference settings: each key once, with its file key, variables, flag and help.
extension BedsideConfig {
    public enum Keys {
        public static let retriever = ConfigKey(
            "", "retriever", RetrieverKind.configKind, env: ["BEDSIDE_RETRIEVER"],
            flag: "--retriever", help: "Retriever: bm25, vector or hybrid (vector and hybrid need [embeddings]).")
        public static let index = ConfigKey(
            "", "index", IndexKind.configKind, env: ["BEDSIDE_INDEX"], flag: "--index",
            help: "Vector index: embedded (SQLite) or qdrant.")
        public static let bm25Index = ConfigKey(
            "", "bm25_index", BM25IndexKind.configKind, env: ["BEDSIDE_BM25_INDEX"],
            help: "Where BM25 is computed: memory (an in-memory copy of the index) or fts5 (SQLite's FTS5; same ranking, for comparison).")

        public static let llmURL = ConfigKey(
            "llm", "url", .url, env: ["BEDSIDE_LLM_URL"], help: "OpenAI-style chat server, ending in /v1; unset means extractive answers.")
        public static let llmModel = ConfigKey("llm", "model", .string, env: ["BEDSIDE_LLM_MODEL"], help: "Model name sent to the chat server.")
        public static let llmAPIKey = ConfigKey(
            "llm", "api_key", .string, env: ["BEDSIDE_LLM_API_KEY", "BEDSIDE_OPENAI_API_KEY"], secret: true,
            help: "Bearer key for the chat server (never printed).")
        public static let llmMaxTokens = ConfigKey(
            "llm", "max_tokens", .integer(1...32_768), env: ["BEDSIDE_LLM_MAX_TOKENS"], help: "Longest answer, in tokens.")
        public static let llmTemperature = ConfigKey(
            "llm", "temperature", .number(0...2), env: ["BEDSIDE_LLM_TEMPERATURE"], help: "Sampling temperature.")

        public static let embedURL = ConfigKey(
            "embeddings", "url", .url, env: ["BEDSIDE_EMBED_URL"], help: "OpenAI-style embedding server, ending in /v1.")
        public static let embedModel = ConfigKey("embeddings", "model", .string, env: ["BEDSIDE_EMBED_MODEL"], help: "Embedding model name.")
        public static let embedAPIKey = ConfigKey(
            "embeddings", "api_key", .string, env: ["BEDSIDE_EMBED_API_KEY", "BEDSIDE_OPENAI_API_KEY"], secret: true,
            help: "Bearer key for the embedding server (never printed).")
        public static let embedBatch = ConfigKey(
            "embeddings", "batch_size", .integer(1...2_048), env: ["BEDSIDE_EMBED_BATCH_SIZE"], help: "Passages per embedding request.")
        public static let embedMaxInput = ConfigKey(
            "embeddings", "max_input_tokens", .integer(16...1_000_000), env: ["BEDSIDE_EMBED_MAX_INPUT_TOKENS"],
            help: "Longest passage sent to the embedding model, in tokens.")

        public static let qdrantURL = ConfigKey(
            "qdrant", "url", .url, env: ["BEDSIDE_QDRANT_URL"], help: "Qdrant server; unset means the embedded index only.")
        public static let qdrantAPIKey = ConfigKey(
            "qdrant", "api_key", .string, env: ["BEDSIDE_QDRANT_API_KEY"], secret: true, help: "Qdrant API key (never printed).")
        public static let qdrantCollection = ConfigKey(
            "qdrant", "collection", .identifier, env: ["BEDSIDE_QDRANT_COLLECTION"], help: "Qdrant collection name.")

        public static let connect = ConfigKey(
            "timeouts", "connect", .duration, env: ["BEDSIDE_CONNECT_TIMEOUT"], help: "Connect timeout for the LLM, embedding and Qdrant servers.")
        public static let firstToken = ConfigKey(
            "timeouts", "first_token", .duration, env: ["BEDSIDE_FIRST_TOKEN_TIMEOUT"], help: "Wait for the LLM's first token.")
        public static let total = ConfigKey("timeouts", "total", .duration, env: ["BEDSIDE_LLM_TIMEOUT"], help: "Whole LLM answer.")
        public static let embeddings = ConfigKey("timeouts", "embeddings", .duration, env: ["BEDSIDE_EMBED_TIMEOUT"], help: "One embedding request.")
        public static let qdrant = ConfigKey("timeouts", "qdrant", .duration, env: ["BEDSIDE_QDRANT_TIMEOUT"], help: "One Qdrant request.")
    }

    static let topBindings: [ConfigBinding<BedsideConfig>] = [
        .choice(Keys.retriever, \.retriever), .choice(Keys.index, \.index), .choice(Keys.bm25Index, \.bm25Index),
    ]
    static let llmBindings: [ConfigBinding<LLM>] = [
        .string(Keys.llmURL, \.url), .string(Keys.llmModel, \.model), .optionalString(Keys.llmAPIKey, \.apiKey),
        .int(Keys.llmMaxTokens, \.maxTokens), .double(Keys.llmTemperature, \.temperature),
    ]
    static let embeddingBindings: [ConfigBinding<Embeddings>] = [
        .string(Keys.embedURL, \.url), .string(Keys.embedModel, \.model), .optionalString(Keys.embedAPIKey, \.apiKey),
        .int(Keys.embedBatch, \.batchSize), .int(Keys.embedMaxInput, \.maxInputTokens),
    ]
    static let qdrantBindings: [ConfigBinding<Qdrant>] = [
        .string(Keys.qdrantURL, \.url), .optionalString(Keys.qdrantAPIKey, \.apiKey), .string(Keys.qdrantCollection, \.collection),
    ]
    static let timeoutBindings: [ConfigBinding<Timeouts>] = [
        .duration(Keys.connect, \.connect), .duration(Keys.firstToken, \.firstToken), .duration(Keys.total, \.total),
        .duration(Keys.embeddings, \.embeddings), .duration(Keys.qdrant, \.qdrant),
    ]

    /// Every inference key, in the order `bedside config` shows them.
    public static var keys: [ConfigKey] {
        topBindings.map(\.key) + llmBindings.map(\.key) + embeddingBindings.map(\.key) + qdrantBindings.map(\.key) + timeoutBindings.map(\.key)
    }

    /// The settings the layers give. A component (LLM, embeddings, Qdrant) is configured when its
    /// `url` is set in any layer; a file section without one is an error.
    public init(layers: ConfigLayers) throws {
        self.init(sourceFile: layers.filePath)
        configFile = layers.expectedPath
        try Self.topBindings.apply(to: &self, from: layers)
        llm = try Self.component(layers, Keys.llmURL, Self.llmBindings) { LLM(url: $0, model: Self.defaultLLMModel) }
        embeddings = try Self.component(layers, Keys.embedURL, Self.embeddingBindings) { Embeddings(url: $0, model: Self.defaultEmbeddingModel) }
        qdrant = try Self.component(layers, Keys.qdrantURL, Self.qdrantBindings) { Qdrant(url: $0) }
        try Self.timeoutBindings.apply(to: &timeouts, from: layers)
    }

    static func component<C>(_ layers: ConfigLayers, _ url: ConfigKey, _ bindings: [ConfigBinding<C>], make: (String) -> C) throws -> C? {
        guard let u = try layers.string(url) else {
            guard !layers.fileHasSection(url.section) else {
                throw BedsideError(.config, "\(layers.filePath ?? "config.toml"): [\(url.section)] needs `url` (or \(url.environment[0])).")
            }
            return nil
        }
        var c = make(u)
        try bindings.apply(to: &c, from: layers)
        return c
    }

    /// The rows of `bedside config` for these settings (a component not configured shows no values).
    public func rows(layers: ConfigLayers) -> [ConfigRow] {
        Self.topBindings.rows(self, layers: layers) + Self.llmBindings.rows(llm, layers: layers)
            + Self.embeddingBindings.rows(embeddings, layers: layers) + Self.qdrantBindings.rows(qdrant, layers: layers)
            + Self.timeoutBindings.rows(timeouts, layers: layers)
    }

    /// Defaults as the reference table shows them (a component's URL has none).
    public static var defaultValues: [String: String] {
        let c = BedsideConfig(
            llm: LLM(url: "", model: defaultLLMModel), embeddings: Embeddings(url: "", model: defaultEmbeddingModel), qdrant: Qdrant(url: ""))
        return Dictionary(c.rows(layers: ConfigLayers()).compactMap { r in r.value.map { (r.key.dotted, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The file (`path`, else `$BEDSIDE_CONFIG`, else the default location) and the
    /// environment. Unknown keys are checked by the caller, which knows every module's keys.
    public static func load(path: String? = nil, environment: [String: String]) throws -> BedsideConfig {
        try BedsideConfig(layers: ConfigLayers.load(explicitPath: path, defaultPath: defaultPath(environment: environment), environment: environment))
    }
}
