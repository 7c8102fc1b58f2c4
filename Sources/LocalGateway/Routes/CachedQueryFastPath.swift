import Core
import Foundation
import HTTPTypes
import Logging
import NIOCore

/// `POST /v1/query` answered from the hot cache on the connection's event loop, without
/// Hummingbird's router and its async bridge (`CachedQueryHandler` calls it).
///
/// Why it exists: going through the router costs a cache hit a task, an async body stream,
/// three async middlewares and hops between the event loop and the task pool. Measured
/// (`bench/gateway.sh`, docs/perf.md): +12.5% hits per second in the same run, 20–40% in
/// alternating runs, and 141–162 µs of CPU per hit against 176–248 µs through the router.
///
/// It takes a request only when every step can be answered from memory at once: the token
/// in the verified-token cache (times and revocations checked as on the router), the rate
/// limit in this process, the inference status fresh, the answer in the hot layer and the
/// asker's own record of it, in the words of this request, known. Otherwise, and for
/// anything it does not handle (streams, `no-cache`, `Connection: close`, errors of any
/// kind), the request goes to the router unchanged, which answers it as before.
///
/// What it sends is built by what the router uses for the same hit: `CacheHit` (body and
/// audit row), `QueryRoute.headers`, `RateLimitMiddleware.stamp` and
/// `RequestLogMiddleware.finish` (request id, metrics, log line).
final class CachedQueryFastPath: Sendable {
    let gateway: Gateway
    private let dates = HTTPDate()

    /// nil when the fast path is off or cannot apply: turned off in the configuration, or a
    /// shared store (its buckets and audit rows are on another machine, so a hit waits anyway).
    init?(gateway: Gateway) {
        guard gateway.configuration.cachedFastPath, !gateway.rateLimiter.isShared else { return nil }
        self.gateway = gateway
    }

    /// A cache hit ready to be committed: everything its response and audit row need.
    struct Hit: Sendable {
        var served: CacheHit
        var body: ByteBuffer
        var trace: RequestTrace.State
        var decision: RateDecision
    }

    /// Whether the head alone allows this path: the route, a kept-alive connection, an
    /// answer wanted as JSON from the cache, a token sent.
    func accepts(_ head: HTTPRequest) -> Bool {
        guard head.method == .post, head.path == "/v1/query", head.headerFields[.authorization] != nil else { return false }
        if let connection = head.headerFields[.connection], connection.lowercased() != "keep-alive" { return false }
        return !QueryRoute.accepts(head.headerFields[.accept], "text/event-stream") && !QueryRoute.noCache(head.headerFields[.cacheControl])
    }

    /// The hit for this request, its rate-limit token spent; nil (nothing spent) when any
    /// step would have to wait or would fail, and the router must answer instead (the
    /// question, once decoded, kept for it in `decoded`).
    func prepare(head: HTTPRequest, body: ByteBuffer, started: Duration, decoded: DecodedQuery) -> Hit? {
        let g = gateway
        let bytes = Array(body.readableBytesView)
        guard let identity = g.verifier.cachedIdentity(authorization: head.headerFields[.authorization]),
            let query = try? QueryRequest.decode(body: bytes)
        else { return nil }
        decoded.keep(query, body: bytes)
        guard let status = g.statusCache.fresh() else { return nil }
        let key = CacheKey(request: query, indexVersion: status.indexVersion, model: status.model, retriever: status.retriever)
        guard let hot = g.cache.hotFresh(key), let origin = hot.entry.answer.answerID,
            let own = g.ownership.known(subject: identity.subject, origin: origin, question: query.question)
        else { return nil }
        let requestID = RequestLogMiddleware.requestID(from: head.headerFields[.requestID])
        let served = CacheHit.serve(
            hot.entry.answer, to: own, hot: hot, subject: identity.subject, requestID: requestID, started: started, clock: g.clock
        ).hit
        guard let answer = served.body else { return nil }
        // Last, so that a request handed to the router has spent nothing here.
        let decision = g.rateLimiter.takeLocal(subject: identity.subject)
        guard decision.allowed else { return nil }
        let trace = RequestTrace.State(
            requestID: requestID, started: started, subject: identity.subject, cache: QueryRoute.CacheResult.hit.rawValue,
            rateLimitRemaining: decision.remaining, question: g.configuration.logQuestions ? query.question : nil)
        return Hit(served: served, body: answer, trace: trace, decision: decision)
    }

    /// Commits the hit's audit row; `done` gets the response once the row is durable, or the
    /// error (then nothing was sent, the token is given back, and the router answers the
    /// request, spending its own).
    func commit(_ hit: Hit, done: @escaping @Sendable (Result<(HTTPResponse, ByteBuffer), any Error>) -> Void) {
        gateway.state.appendAudit(hit.served.record, sourcesJSON: hit.served.sourcesJSON) { [self] result in
            switch result {
            case .failure(let error):
                gateway.rateLimiter.giveBackLocal(subject: hit.served.record.subject)
                gateway.metrics.fastPath("handed_to_router")
                gateway.logger.warning(
                    "audit write failed on the fast path; the router answers",
                    metadata: ["request_id": .string(hit.trace.requestID), "error": "\(error)"])
                done(.failure(error))
            case .success: done(.success((respond(hit), hit.body)))
            }
        }
    }

    /// The router's response to the same hit (`QueryRoute.respond`, then the rate-limit and
    /// request-log middlewares), with its metrics and log line.
    private func respond(_ hit: Hit) -> HTTPResponse {
        let g = gateway
        g.metrics.cache(QueryRoute.CacheResult.hit.rawValue)
        g.metrics.fastPath("answered")
        var fields = QueryRoute.headers(cache: .hit, stale: false)
        fields[.contentLength] = String(hit.body.readableBytes)
        RateLimitMiddleware.stamp(&fields, limiter: g.rateLimiter, decision: hit.decision)
        fields[.date] = dates.now()
        RequestLogMiddleware.finish(&fields, gateway: g, method: "POST", route: "/v1/query", status: 200, trace: hit.trace)
        return HTTPResponse(status: .ok, headerFields: fields)
    }
}

/// The `Date` header's value (RFC 9110 IMF-fixdate), formatted once per second.
final class HTTPDate: Sendable {
    private let last = Locked<(second: Int, text: String)>((-1, ""))

    func now() -> String {
        var t = time(nil)
        let second = Int(t)
        if let known = last.withLock({ $0.second == second ? $0.text : nil }) { return known }
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let text =
            "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
        last.withLock { $0 = (second, text) }
        return text
    }
}
