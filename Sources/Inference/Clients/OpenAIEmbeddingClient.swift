import Core
import Foundation

/// `POST {base}/embeddings` on an OpenAI-compatible server (llama-server, Ollama, vLLM, OpenAI).
///
/// Texts are sent in batches; every input is first cut to the model's token limit (see
/// `EmbeddingInputGuard`), and a server that still reports an input too large gets the
/// batch again with a smaller budget, so one long passage never fails an ingest.
/// 429, 5xx and connection failures are retried with backoff and jitter.
public struct OpenAIEmbeddingClient: TextEmbedder {
    public let baseURL: String
    public let model: String
    public var batchSize: Int
    public var inputGuard: EmbeddingInputGuard
    let caller: UpstreamCaller

    /// Internal: other modules get a client from `InferenceComponents.embedder()`.
    /// - Parameters:
    ///   - baseURL: OpenAI-style base URL ending in `/v1`.
    ///   - apiKey: sent as `Authorization: Bearer …` when set.
    ///   - timeout: per request (one batch).
    init(
        baseURL: String, model: String, apiKey: String? = nil, transport: any HTTPTransport,
        batchSize: Int = 32, inputGuard: EmbeddingInputGuard = EmbeddingInputGuard(),
        retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(120)
    ) {
        self.baseURL = baseURL
        self.model = model
        self.batchSize = max(1, batchSize)
        self.inputGuard = inputGuard
        var headers: [String: String] = [:]
        if let apiKey, !apiKey.isEmpty { headers["authorization"] = "Bearer \(apiKey)" }
        caller = UpstreamCaller(transport: transport, service: "The embedding server", retry: retry, timeout: timeout, headers: headers)
    }

    struct Request: Encodable {
        var model: String
        var input: [String]
        var encoding_format = "float"
    }

    struct Response: Decodable {
        struct Item: Decodable {
            var embedding: [Float]
            var index: Int?
        }
        var data: [Item]
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(texts.count)
        for batch in texts.batches(of: batchSize) { out += try await embedBatch(Array(batch)) }
        return out
    }

    /// Embeds one batch, shrinking the input budget up to three times when the server says an
    /// input is too large for it.
    func embedBatch(_ texts: [String]) async throws -> [[Float]] {
        var budget = inputGuard.budget
        let url = baseURL.appendingPath("embeddings")
        for shrink in 0...3 {
            // An empty input is rejected by some servers; a single space embeds as "nothing".
            let inputs = texts.map { t -> String in
                let cut = inputGuard.truncate(t, budget: budget)
                return cut.isEmpty ? " " : cut
            }
            let body = try UpstreamCaller.encode(Request(model: model, input: inputs))
            let (status, bytes) = try await caller.call(.POST, url, json: body, passThrough: Self.isInputTooLarge)
            if (200...299).contains(status) {
                let decoded = try UpstreamCaller.decodeBody(Response.self, bytes, service: caller.service, url: url)
                return try Self.ordered(decoded, count: texts.count, url: url)
            }
            if shrink == 3 { break }
            budget = max(16, budget * 3 / 4)
        }
        throw BedsideError(
            .upstream, "The embedding server rejects these passages as too long even after shortening them.",
            detail: "\(url): input too large at a budget of \(budget) estimated tokens")
    }

    /// The vectors in input order (servers may answer out of order; `index` says where each goes).
    static func ordered(_ r: Response, count: Int, url: String) throws -> [[Float]] {
        guard r.data.count == count else {
            throw BedsideError(.upstream, "The embedding server returned \(r.data.count) vectors for \(count) texts.", detail: url)
        }
        var out = [[Float]](repeating: [], count: count)
        for (i, item) in r.data.enumerated() {
            let at = item.index ?? i
            guard (0..<count).contains(at), out[at].isEmpty else {
                throw BedsideError(.upstream, "The embedding server returned vectors with bad indexes.", detail: url)
            }
            out[at] = item.embedding
        }
        let dim = out.first?.count ?? 0
        guard dim > 0, out.allSatisfy({ $0.count == dim }) else {
            throw BedsideError(.upstream, "The embedding server returned empty or unequal vectors.", detail: url)
        }
        return out
    }

    /// llama-server: HTTP 500 "input (N tokens) is too large to process. increase the physical
    /// batch size"; OpenAI: HTTP 400 "maximum context length"; others say "too long".
    static func isInputTooLarge(status: Int, body: [UInt8]) -> Bool {
        guard status == 400 || status == 413 || status == 500 else { return false }
        let m = UpstreamFailure.message(from: body).lowercased()
        return m.contains("too large") || m.contains("too long") || m.contains("maximum context length")
            || m.contains("exceeds") || m.contains("context size") || m.contains("physical batch size")
    }
}
