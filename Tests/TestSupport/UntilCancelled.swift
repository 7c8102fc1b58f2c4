/// Suspends until the calling task is cancelled, then throws `CancellationError`: a peer that
/// never answers (a stalled server, a model that never sends a token), with no clock involved.
/// The code under test must give up by itself (its own timeout) or cancel.
public func untilCancelled() async throws {
    let (never, continuation) = AsyncStream<Never>.makeStream()
    // An AsyncStream's iteration ends when the iterating task is cancelled, and only then:
    // nothing is ever yielded and the continuation is kept alive (unfinished) until it does.
    for await _ in never {}
    withExtendedLifetime(continuation) {}
    throw CancellationError()
}
