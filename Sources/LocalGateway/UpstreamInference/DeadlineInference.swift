import Core

/// An `InferenceService` with a total time limit per answer and per status call. When
/// the limit passes, the stream fails with `BedsideError(.timeout)` and the underlying
/// generation is cancelled.
struct DeadlineInference: InferenceService {
    let base: any InferenceService
    let answerTimeout: Duration
    let statusTimeout: Duration
    let sleep: @Sendable (Duration) async throws -> Void

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        .producing { continuation in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in base.answer(request) { continuation.yield(event) }
                        continuation.finish()
                    } catch {
                        continuation.finish(throwing: error)
                    }
                }
                group.addTask {
                    do { try await sleep(answerTimeout) } catch { return } // cancelled: the answer ended first
                    continuation.finish(throwing: Self.timeoutError(answerTimeout, what: "Inference"))
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    func status() async throws -> InferenceStatus {
        try await withDeadline(statusTimeout, sleep: sleep, what: "The inference status check") { try await base.status() }
    }

    static func timeoutError(_ timeout: Duration, what: String) -> BedsideError {
        let seconds = timeout.seconds
        let shown = seconds >= 1 ? "\(Int(seconds.rounded())) s" : "\(Int((seconds * 1000).rounded())) ms"
        return BedsideError(.timeout, "\(what) did not finish within \(shown).", retryAfter: max(1, Int(seconds.rounded(.up))))
    }
}

/// Runs `operation`, failing with `BedsideError(.timeout)` if it takes longer than `timeout`.
func withDeadline<T: Sendable>(
    _ timeout: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void, what: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await sleep(timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw DeadlineInference.timeoutError(timeout, what: what)
        }
        return value
    }
}
