/// Turns texts into vectors. `OpenAIEmbeddingClient` is the real one; tests inject fakes.
public protocol TextEmbedder: Sendable {
    /// The embedding model id: vectors of different models are never mixed.
    var model: String { get }
    /// One vector per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}
