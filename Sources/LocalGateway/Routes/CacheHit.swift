import Core
import Foundation
import NIOCore
import SharedState

/// A cached answer served to one request: its JSON body and its audit row. Both ways a hit
/// is answered build it here, the router (`QueryRoute`, which also serves the stale
/// fallback with it) and the event loop (`CachedQueryFastPath`), so a field of the body or
/// of the audit row is written once; the headers are `QueryRoute.headers(cache:stale:)`.
///
/// The asker is shown their own record of the answer (issue 19): its id, the question in
/// the words of this request and the time it was made for them, never another subject's.
struct CacheHit: Sendable {
    /// The audit row, stamped now.
    let record: AuditRecord
    /// The row's sources as the audit chain hashes them, when known (the same on every hit).
    let sourcesJSON: String?
    /// The cached JSON with the asker's blanks filled; nil when it cannot be (stale, an answer
    /// whose JSON could not be cut, a record without an id): then the answer is encoded whole.
    let body: ByteBuffer?

    /// The answer `stored` as `own` is shown it `started` ago, with what serving it writes.
    /// - Parameter hot: the fresh hit's hot-cache entry; nil for the stale fallback (then the
    ///   answer is marked stale and has no pre-encoded body).
    static func serve(
        _ stored: Answer, to own: AnswerOwnership.Record, hot: ResponseCache.Hot?, subject: String, requestID: String, started: Duration,
        clock: GatewayClock
    ) -> (answer: Answer, hit: CacheHit) {
        var answer = own.shown(stored)
        answer.cached = true
        answer.stale = hot == nil
        answer.latencyMS = QueryRoute.elapsedMS(since: started, clock: clock)
        var record = AuditRecord(answer: answer, subject: subject, requestID: requestID)
        record.at = clock.now()
        let latency = answer.latencyMS
        let body = own.id.flatMap { id in own.asker.flatMap { hot?.encoded?.body(answerID: id, asker: $0, latencyMS: latency) } }
        return (answer, CacheHit(record: record, sourcesJSON: hot?.auditSources, body: body))
    }
}
