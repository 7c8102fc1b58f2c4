import Core
import Foundation
import Synchronization
import TestSupport

@testable import LocalGateway

/// A sample answer with one citation.
func sampleAnswer(
    _ question: String = "What is the first-line treatment for sepsis?", text: String = "Give antibiotics within one hour [1].",
    indexVersion: Int = 1, model: String = "extractive"
) -> Answer {
    let citation = Citation(
        n: 1, sourceID: "sepsis", chunkID: 1, title: "Sepsis", section: "Treatment", score: 3.5,
        text: "Antibiotics should be given within one hour.", start: 0, end: 44)
    return Answer(
        question: question, answer: text, sentences: [AnswerSentence(text: text, citations: [1])], citations: [citation],
        indexVersion: indexVersion, model: model, retriever: "bm25", latencyMS: 12)
}

/// Counts calls and can be switched between answering and failing while a test runs.
final class ScriptedInference: InferenceService, Sendable {
    enum Mode: Sendable {
        case answer
        case fail(BedsideError)
        case throwPlain, hang, statusDown
    }
    private struct State {
        var mode: Mode = .answer
        var calls = 0
        var statusCalls = 0
        var status: InferenceStatus
    }
    private let state: Mutex<State>
    let text: String
    /// Pieces the answer text is streamed in.
    let pieces: Int

    init(indexVersion: Int = 1, model: String = "extractive", text: String = "Give antibiotics within one hour [1].", pieces: Int = 3) {
        state = Mutex(
            State(status: InferenceStatus(ready: true, indexVersion: indexVersion, model: model, retriever: "bm25", documents: 1, chunks: 1)))
        self.text = text
        self.pieces = pieces
    }

    var mode: Mode {
        get { state.withLock { $0.mode } }
        set { state.withLock { $0.mode = newValue } }
    }
    var calls: Int { state.withLock { $0.calls } }
    var statusCalls: Int { state.withLock { $0.statusCalls } }
    var currentStatus: InferenceStatus {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let (mode, status) = state.withLock {
            $0.calls += 1
            return ($0.mode, $0.status)
        }
        let text = self.text
        let pieces = self.pieces
        return AsyncThrowingStream { continuation in
            let task = Task {
                switch mode {
                case .answer, .statusDown:
                    let answer = sampleAnswer(request.question, text: text, indexVersion: status.indexVersion, model: status.model)
                    continuation.yield(.citations(answer.citations))
                    let size = max(1, text.count / max(1, pieces))
                    var rest = Substring(text)
                    while !rest.isEmpty {
                        continuation.yield(.delta(String(rest.prefix(size))))
                        rest = rest.dropFirst(size)
                    }
                    continuation.yield(.done(answer))
                    continuation.finish()
                case .fail(let e):
                    continuation.finish(throwing: e)
                case .throwPlain:
                    continuation.finish(throwing: URLError(.cannotConnectToHost))
                case .hang:
                    try? await untilCancelled()
                    continuation.finish(throwing: CancellationError())
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func status() async throws -> InferenceStatus {
        let (mode, status) = state.withLock {
            $0.statusCalls += 1
            return ($0.mode, $0.status)
        }
        if case .statusDown = mode { throw BedsideError(.inferenceUnavailable, "status down") }
        return status
    }
}

/// Streams citations, then `pieces` deltas `delay` apart, then done; or fails after `failAfter` deltas.
struct SlowInference: InferenceService {
    var pieces = 5
    var delay: Duration = .milliseconds(50)
    var failAfter: Int?

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let pieces = self.pieces
        let delay = self.delay
        let failAfter = self.failAfter
        return AsyncThrowingStream { continuation in
            let task = Task {
                let answer = sampleAnswer(request.question, text: (1...pieces).map { "part\($0) " }.joined())
                continuation.yield(.citations(answer.citations))
                for i in 1...pieces {
                    if let failAfter, i > failAfter {
                        continuation.finish(throwing: BedsideError(.upstream, "The model crashed.", detail: "llama-server exited"))
                        return
                    }
                    // The pacing is the point: a stream whose pieces arrive over time.
                    do { try await Task.sleep(for: delay) } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    continuation.yield(.delta("part\(i) "))
                }
                continuation.yield(.done(answer))
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func status() async throws -> InferenceStatus {
        InferenceStatus(ready: true, indexVersion: 1, model: "extractive", retriever: "bm25")
    }
}

/// `base`, announcing each call of `answer` on `calls`: a test waits for requests to be in
/// flight instead of guessing how long that takes.
struct AnnouncingInference: InferenceService {
    var base: any InferenceService
    var calls: AsyncStream<Void>.Continuation

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        calls.yield()
        return base.answer(request)
    }

    func status() async throws -> InferenceStatus { try await base.status() }
}

/// Always fails, for answers and status.
struct FailingInference: InferenceService {
    var error = BedsideError(.inferenceUnavailable, "The model server is down.")

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        AsyncThrowingStream { $0.finish(throwing: error) }
    }

    func status() async throws -> InferenceStatus { throw error }
}

/// Never answers (but stops when cancelled), for timeouts.
struct HangingInference: InferenceService {
    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                try? await untilCancelled()
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func status() async throws -> InferenceStatus {
        try await untilCancelled()
        throw CancellationError()
    }
}
