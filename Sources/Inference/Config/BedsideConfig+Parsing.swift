import Core

extension BedsideConfig {
    /// Keys allowed in each section; anything else is an error (a typo must not be ignored).
    static let schema: [String: Set<String>] = [
        "": ["retriever", "index"],
        "llm": ["url", "model", "api_key", "max_tokens", "temperature"],
        "embeddings": ["url", "model", "api_key", "batch_size", "max_input_tokens"],
        "qdrant": ["url", "api_key", "collection"],
        "timeouts": ["connect", "first_token", "total", "embeddings", "qdrant"],
        // Read by the `bedside` executable (the workstation replica of a --gateway).
        "replica": ["max_mb", "max_age"],
    ]

    /// Parses config file text; errors name the file and line.
    public static func parse(_ text: String, file: String = "config.toml") throws -> BedsideConfig {
        let doc: TOMLSubset.Document
        do { doc = try TOMLSubset.parse(text) } catch let e as TOMLSubset.SyntaxError {
            throw BedsideError(.config, "\(file):\(e.line): \(e.message)")
        }
        for (section, entries) in doc {
            guard let allowed = schema[section] else {
                let line = entries.values.map(\.line).min().map { $0 - 1 } ?? 0
                throw BedsideError(.config, "\(file):\(max(line, 1)): unknown section [\(section)] (known: llm, embeddings, qdrant, timeouts)")
            }
            for (key, entry) in entries where !allowed.contains(key) {
                throw BedsideError(.config, "\(file):\(entry.line): unknown key `\(key)`" + (section.isEmpty ? "" : " in [\(section)]")
                                   + " (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
        let r = Reader(doc: doc, file: file)
        var c = BedsideConfig(sourceFile: file)
        if let v = try r.string("", "retriever") {
            guard let k = RetrieverKind(rawValue: v) else { throw r.error("", "retriever", "must be bm25, vector or hybrid") }
            c.retriever = k
        }
        if let v = try r.string("", "index") {
            guard let k = IndexKind(rawValue: v) else { throw r.error("", "index", "must be embedded or qdrant") }
            c.index = k
        }
        if doc["llm"] != nil {
            guard let url = try r.url("llm", "url") else { throw r.missing("llm", "url") }
            var llm = LLM(url: url, model: try r.string("llm", "model") ?? defaultLLMModel, apiKey: try r.string("llm", "api_key"))
            if let n = try r.int("llm", "max_tokens", in: 1...32_768) { llm.maxTokens = n }
            if let t = try r.double("llm", "temperature", in: 0...2) { llm.temperature = t }
            c.llm = llm
        }
        if doc["embeddings"] != nil {
            guard let url = try r.url("embeddings", "url") else { throw r.missing("embeddings", "url") }
            var e = Embeddings(url: url, model: try r.string("embeddings", "model") ?? defaultEmbeddingModel,
                               apiKey: try r.string("embeddings", "api_key"))
            if let n = try r.int("embeddings", "batch_size", in: 1...2_048) { e.batchSize = n }
            if let n = try r.int("embeddings", "max_input_tokens", in: 16...1_000_000) { e.maxInputTokens = n }
            c.embeddings = e
        }
        if doc["qdrant"] != nil {
            guard let url = try r.url("qdrant", "url") else { throw r.missing("qdrant", "url") }
            c.qdrant = Qdrant(url: url, apiKey: try r.string("qdrant", "api_key"), collection: try r.collection("qdrant", "collection") ?? "bedside")
        }
        let timeoutKeys: [(String, WritableKeyPath<Timeouts, Double>)] = [
            ("connect", \.connect), ("first_token", \.firstToken), ("total", \.total), ("embeddings", \.embeddings), ("qdrant", \.qdrant),
        ]
        for (key, path) in timeoutKeys {
            if let s = try r.double("timeouts", key, in: 0.001...86_400) { c.timeouts[keyPath: path] = s }
        }
        return c
    }

    /// Typed access to parsed entries, with errors that name file, line and key.
    struct Reader {
        var doc: TOMLSubset.Document
        var file: String

        func entry(_ section: String, _ key: String) -> TOMLSubset.Entry? { doc[section]?[key] }

        func error(_ section: String, _ key: String, _ message: String) -> BedsideError {
            let line = entry(section, key)?.line ?? 0
            return BedsideError(.config, "\(file):\(line): `\(key)`" + (section.isEmpty ? "" : " in [\(section)]") + " \(message)")
        }

        func missing(_ section: String, _ key: String) -> BedsideError {
            BedsideError(.config, "\(file): [\(section)] needs `\(key)`.")
        }

        func string(_ section: String, _ key: String) throws -> String? {
            guard let e = entry(section, key) else { return nil }
            guard case .string(let s) = e.value else { throw error(section, key, "must be a quoted string (got \(e.value))") }
            return s
        }

        func url(_ section: String, _ key: String) throws -> String? {
            guard let s = try string(section, key) else { return nil }
            guard BedsideConfig.isHTTPURL(s) else { throw error(section, key, "must be an http:// or https:// URL (got \"\(s)\")") }
            return s
        }

        func collection(_ section: String, _ key: String) throws -> String? {
            guard let s = try string(section, key) else { return nil }
            guard BedsideConfig.isCollectionName(s) else { throw error(section, key, "must be letters, digits, _ or - (got \"\(s)\")") }
            return s
        }

        func int(_ section: String, _ key: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let e = entry(section, key) else { return nil }
            guard case .integer(let n) = e.value else { throw error(section, key, "must be a whole number (got \(e.value))") }
            guard range.contains(n) else { throw error(section, key, "must be between \(range.lowerBound) and \(range.upperBound)") }
            return n
        }

        func double(_ section: String, _ key: String, in range: ClosedRange<Double>) throws -> Double? {
            guard let e = entry(section, key) else { return nil }
            let d: Double
            switch e.value {
            case .integer(let n): d = Double(n)
            case .float(let f): d = f
            default: throw error(section, key, "must be a number (got \(e.value))")
            }
            guard range.contains(d) else { throw error(section, key, "must be between \(range.lowerBound) and \(range.upperBound)") }
            return d
        }
    }

    static func isHTTPURL(_ s: String) -> Bool {
        (s.hasPrefix("http://") || s.hasPrefix("https://")) && s.count > "http://".count && !s.contains(" ")
    }

    static func isCollectionName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 255 && s.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}
