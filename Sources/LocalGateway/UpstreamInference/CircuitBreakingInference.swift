import Core

/// An `InferenceService` whose calls go through a `CircuitBreaker`. A stream counts as a
/// success when it delivers `done`, as a failure when it throws or ends early, and as
/// neither when the client goes away or the local database fails. Only upstream failures
/// (LLM, embeddings, Qdrant, a remote node) count against it. `error` events are turned into thrown errors.
struct CircuitBreakingInference: InferenceService {
    let base: any InferenceService
    let breaker: CircuitBreaker

    func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
        .producing { continuation in
            let permit = try await breaker.acquire()
            do {
                var finished = false
                for try await event in base.answer(request) {
                    if case .error(let e) = event { throw e }
                    continuation.yield(event)
                    if case .done = event {
                        finished = true
                        break
                    }
                }
                if finished {
                    await breaker.recordSuccess(permit)
                } else if Task.isCancelled {
                    await breaker.release(permit)
                    continuation.finish(throwing: CancellationError())
                } else {
                    await breaker.recordFailure(permit)
                    continuation.finish(throwing: BedsideError(.upstream, "Inference stopped before the answer was complete."))
                }
            } catch {
                if Task.isCancelled || error is CancellationError {
                    await breaker.release(permit)
                } else if let e = error as? BedsideError, e.code.isClientError {
                    await breaker.recordSuccess(permit) // inference answered, the question was at fault
                } else if let e = error as? BedsideError, e.code.isDatabase {
                    await breaker.release(permit) // the local database, not an upstream: says nothing about inference
                } else {
                    await breaker.recordFailure(permit)
                }
                continuation.finish(throwing: error)
            }
        }
    }

    func status() async throws -> InferenceStatus {
        let permit = try await breaker.acquire()
        do {
            let status = try await base.status()
            // Reachable is not answering: a service that accepts connections but misses every
            // deadline must still open the breaker, so a good probe neither resets the failure
            // count nor closes a half-open circuit; only a completed answer does.
            await breaker.release(permit)
            return status
        } catch {
            if error is CancellationError { await breaker.release(permit) } else { await breaker.recordFailure(permit) }
            throw error
        }
    }
}
