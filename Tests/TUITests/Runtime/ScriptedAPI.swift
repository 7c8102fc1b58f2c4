import Core
import Foundation

/// A `BedsideAPI` whose answer streams the test drives event by event: each question opens a
/// `Call` the test receives from `calls` and feeds (`send`, `fail`, `finish`), so slow, cut
/// and stale streams are scripted without a server or a clock.
final class ScriptedAPI: BedsideAPI {
    /// One `query` the runtime made.
    final class Call: Sendable {
        let request: QueryRequest
        let noCache: Bool
        private let continuation: AsyncThrowingStream<AnswerEvent, any Error>.Continuation
        private let termination = Locked<AsyncThrowingStream<AnswerEvent, any Error>.Continuation.Termination?>(nil)

        init(request: QueryRequest, noCache: Bool, continuation: AsyncThrowingStream<AnswerEvent, any Error>.Continuation) {
            self.request = request
            self.noCache = noCache
            self.continuation = continuation
            continuation.onTermination = { [termination] reason in termination.withLock { $0 = reason } }
        }

        func send(_ events: AnswerEvent...) { send(events) }
        func send(_ events: [AnswerEvent]) { for e in events { continuation.yield(e) } }
        func finish() { continuation.finish() }
        /// The connection drops mid-answer.
        func fail(_ error: any Error) { continuation.finish(throwing: error) }
        /// How the stream ended, once it has (`.cancelled` when the runtime dropped it).
        var terminated: AsyncThrowingStream<AnswerEvent, any Error>.Continuation.Termination? { termination.current }
        /// The consumer went away before the stream ended.
        var wasCancelled: Bool {
            if case .cancelled? = terminated { true } else { false }
        }
    }

    let displayAddress = "scripted:1"
    let calls: AsyncStream<Call>
    private let newCall: AsyncStream<Call>.Continuation
    private let status: InferenceStatus

    init(status: InferenceStatus = InferenceStatus(ready: true, indexVersion: 3, model: "extractive", retriever: "bm25")) {
        (calls, newCall) = AsyncStream.makeStream(of: Call.self)
        self.status = status
    }

    func query(_ request: QueryRequest, noCache: Bool) -> AsyncThrowingStream<AnswerEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: AnswerEvent.self, throwing: (any Error).self)
        newCall.yield(Call(request: request, noCache: noCache, continuation: continuation))
        return stream
    }

    func answer(id: String) async throws -> Answer { throw BedsideError(.notFound, "No answer \(id).") }
    func history(query: String?, limit: Int) async throws -> [HistoryEntry] { [] }
    func answers(since: String?, cursor: String?, limit: Int) async throws -> AnswerListPage { AnswerListPage(items: [], nextCursor: nil) }
    func source(chunkID: Int64) async throws -> SourceDocument { throw BedsideError(.notFound, "No passage \(chunkID).") }
    func readiness() async throws -> Readiness { Readiness(httpStatus: 200, status: status) }
}
