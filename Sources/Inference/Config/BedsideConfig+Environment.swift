import Core

extension BedsideConfig {
    /// The environment variables that override the config file.
    public static let environmentKeys = [
        "BEDSIDE_QDRANT_URL", "BEDSIDE_QDRANT_API_KEY", "BEDSIDE_QDRANT_COLLECTION",
        "BEDSIDE_LLM_URL", "BEDSIDE_LLM_MODEL", "BEDSIDE_EMBED_URL", "BEDSIDE_EMBED_MODEL", "BEDSIDE_OPENAI_API_KEY",
        "BEDSIDE_RETRIEVER", "BEDSIDE_INDEX",
    ]

    /// Applies `BEDSIDE_*` overrides (empty values are ignored). A URL variable configures its
    /// component even without a file section; a model or key variable alone changes nothing
    /// that is not configured. `BEDSIDE_OPENAI_API_KEY` is the key for both the LLM and the
    /// embedding server.
    public mutating func applyEnvironment(_ env: [String: String]) throws {
        func value(_ key: String) -> String? {
            guard let v = env[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func url(_ key: String) throws -> String? {
            guard let v = value(key) else { return nil }
            guard Self.isHTTPURL(v) else { throw BedsideError(.config, "\(key) must be an http:// or https:// URL (got \"\(v)\").") }
            return v
        }
        if let u = try url("BEDSIDE_LLM_URL") {
            if llm == nil { llm = LLM(url: u, model: Self.defaultLLMModel) } else { llm!.url = u }
        }
        if let m = value("BEDSIDE_LLM_MODEL"), llm != nil { llm!.model = m }
        if let u = try url("BEDSIDE_EMBED_URL") {
            if embeddings == nil { embeddings = Embeddings(url: u, model: Self.defaultEmbeddingModel) } else { embeddings!.url = u }
        }
        if let m = value("BEDSIDE_EMBED_MODEL"), embeddings != nil { embeddings!.model = m }
        if let k = value("BEDSIDE_OPENAI_API_KEY") {
            llm?.apiKey = k
            embeddings?.apiKey = k
        }
        if let u = try url("BEDSIDE_QDRANT_URL") {
            if qdrant == nil { qdrant = Qdrant(url: u) } else { qdrant!.url = u }
        }
        if let k = value("BEDSIDE_QDRANT_API_KEY"), qdrant != nil { qdrant!.apiKey = k }
        if let c = value("BEDSIDE_QDRANT_COLLECTION"), qdrant != nil {
            guard Self.isCollectionName(c) else { throw BedsideError(.config, "BEDSIDE_QDRANT_COLLECTION must be letters, digits, _ or - (got \"\(c)\").") }
            qdrant!.collection = c
        }
        if let r = value("BEDSIDE_RETRIEVER") {
            guard let k = RetrieverKind(rawValue: r) else { throw BedsideError(.config, "BEDSIDE_RETRIEVER must be bm25, vector or hybrid (got \"\(r)\").") }
            retriever = k
        }
        if let i = value("BEDSIDE_INDEX") {
            guard let k = IndexKind(rawValue: i) else { throw BedsideError(.config, "BEDSIDE_INDEX must be embedded or qdrant (got \"\(i)\").") }
            index = k
        }
    }
}
