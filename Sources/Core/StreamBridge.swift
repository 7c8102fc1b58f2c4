extension AsyncThrowingStream where Failure == any Error, Element: Sendable {
    /// A stream fed by `produce`, which runs on its own task: the stream finishes when
    /// `produce` returns and fails with what it throws; cancelling or dropping the consumer
    /// cancels the task. `produce` may finish the continuation itself (later finishes are ignored).
    ///
    /// The one bridge from "an async function that yields" to a stream, instead of
    /// `makeStream` + `Task` + `onTermination` written out at each call site.
    public static func producing(_ produce: @escaping @Sendable (Continuation) async throws -> Void) -> Self {
        let (stream, continuation) = makeStream(of: Element.self, throwing: (any Error).self)
        let task = Task {
            do {
                try await produce(continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
