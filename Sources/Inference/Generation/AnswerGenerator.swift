import Core

/// Writes an answer from retrieved passages, emitting stream events as it goes.
public protocol AnswerGenerator: Sendable {
    /// `extractive` or the LLM model id: part of cache keys.
    var model: String { get }
    /// Emits `.citations` first and `.delta`s of checked answer text that the returned answer
    /// begins with; returns the final answer (the caller sends the rest of its text, then
    /// `.done`). Passages are given best first.
    func generate(
        question: String, passages: [RetrievedPassage], evidence: EvidenceScorer.Weighted,
        emit: @Sendable (AnswerEvent) -> Void
    ) async throws -> Answer
}
