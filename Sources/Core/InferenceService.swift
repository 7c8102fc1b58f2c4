/// What the gateway needs to know about the inference behind it, for cache keys and `/readyz`.
public struct InferenceStatus: Codable, Sendable, Hashable {
    public var ready: Bool
    public var indexVersion: Int
    /// Generator id (`extractive` or the LLM model), part of the cache key.
    public var model: String
    public var retriever: String
    public var documents: Int
    public var chunks: Int
    /// Per component: `"llm": "ok"`, `"qdrant": "unreachable: …"`.
    public var components: [String: String]

    public init(
        ready: Bool, indexVersion: Int, model: String, retriever: String, documents: Int = 0, chunks: Int = 0, components: [String: String] = [:]
    ) {
        self.ready = ready
        self.indexVersion = indexVersion
        self.model = model
        self.retriever = retriever
        self.documents = documents
        self.chunks = chunks
        self.components = components
    }

    enum CodingKeys: String, CodingKey {
        case ready, model, retriever, documents, chunks, components
        case indexVersion = "index_version"
    }
}

/// The seam between the gateway and inference: in-process (`Pipeline`) or a remote node over HTTP.
public protocol InferenceService: Sendable {
    /// Answers a question as a stream of events ending in `.done` (or a thrown `BedsideError`).
    /// Cancelling the consuming task cancels generation.
    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error>
    /// Current index version, model and component health.
    func status() async throws -> InferenceStatus
}

extension InferenceService {
    /// Runs the stream to completion and returns the final answer.
    public func complete(_ request: QueryRequest) async throws -> Answer {
        for try await event in answer(request) {
            switch event {
            case .done(let answer): return answer
            case .error(let error): throw error
            default: continue
            }
        }
        throw BedsideError(.upstream, "The answer stream ended without a final answer.")
    }
}
