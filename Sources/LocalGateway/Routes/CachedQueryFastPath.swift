import Core
import Foundation
import HTTPTypes
import Logging
import NIOCore
import Store

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
/// asker's own record of it, in the words of this request, known. Otherwise, and for anything it does not handle (streams,
/// `no-cache`, `Connection: close`, errors of any kind), the request goes to the router
/// unchanged, which answers it as before. What it sends is what the router sends for the same hit: the
/// same status, headers, body bytes, audit row, metrics and log line (GatewayTests compare them).
final class CachedQueryFastPath: Sendable {
    let gateway: Gateway
    private let audit: BedsideDatabase
    private let dates = HTTPDate()

    /// nil when the fast path is off or cannot apply: turned off in the configuration, or a
    /// shared store (its buckets and audit rows are on another machine, so a hit waits anyway).
    init?(gateway: Gateway) {
        guard gateway.configuration.cachedFastPath, !gateway.rateLimiter.isShared, let sqlite = gateway.state as? BedsideDatabase else {
            return nil
        }
        self.gateway = gateway
        self.audit = sqlite
    }

    /// A cache hit ready to be committed: everything the response and its audit row need.
    struct Hit: Sendable {
        var answer: Answer
        var record: AuditRecord
        var sourcesJSON: String?
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
    /// step would have to wait or would fail, and the router must answer instead.
    func prepare(head: HTTPRequest, body: ByteBuffer, started: Duration) -> Hit? {
        let g = gateway
        guard let identity = g.verifier.cachedIdentity(authorization: head.headerFields[.authorization]),
            let query = try? QueryBody.decode(Array(body.readableBytesView)),
            let status = g.statusCache.fresh()
        else { return nil }
        let key = CacheKey(request: query, indexVersion: status.indexVersion, model: status.model, retriever: status.retriever)
        // The asker's own record in the words of this request: the body, the audit row and
        // the log show their question and time, never those of whoever asked first.
        guard let hot = g.cache.hotFresh(key), let encoded = hot.encoded, let origin = hot.entry.answer.answerID,
            let own = g.ownership.known(subject: identity.subject, origin: origin, question: query.question), let asker = own.asker
        else { return nil }
        var answer = own.shown(hot.entry.answer)
        answer.cached = true
        answer.stale = false
        answer.latencyMS = ((g.clock.uptime() - started).seconds * 1000 * 100).rounded() / 100
        guard let bytes = encoded.body(answerID: own.id, asker: asker, latencyMS: answer.latencyMS) else { return nil }
        // Last, so that a request handed to the router has spent nothing here.
        let decision = g.rateLimiter.takeLocal(subject: identity.subject)
        guard decision.allowed else { return nil }
        let requestID = RequestLogMiddleware.requestID(from: head.headerFields[.requestID])
        var trace = RequestTrace.State()
        trace.requestID = requestID
        trace.started = started
        trace.subject = identity.subject
        trace.cache = QueryRoute.CacheResult.hit.rawValue
        trace.rateLimitRemaining = decision.remaining
        if g.configuration.logQuestions { trace.question = query.question }
        var record = AuditRecord(answer: answer, subject: identity.subject, requestID: requestID)
        record.at = g.clock.now()
        return Hit(answer: answer, record: record, sourcesJSON: hot.auditSources, body: bytes, trace: trace, decision: decision)
    }

    /// Commits the hit's audit row; `done` gets the response once the row is durable, or the
    /// error (then nothing was sent, the token is given back, and the router answers the
    /// request, spending its own).
    func commit(_ hit: Hit, done: @escaping @Sendable (Result<(HTTPResponse, ByteBuffer), any Error>) -> Void) {
        audit.appendAudit(hit.record, sourcesJSON: hit.sourcesJSON) { [self] result in
            switch result {
            case .failure(let error):
                gateway.rateLimiter.giveBackLocal(subject: hit.record.subject)
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
        let fields: HTTPFields = [
            .bedsideCache: QueryRoute.CacheResult.hit.rawValue, .cacheControl: "no-store", .contentType: "application/json; charset=utf-8",
            .contentLength: String(hit.body.readableBytes), .rateLimitPolicy: g.rateLimiter.policyHeader,
            .rateLimit: RateLimiter.header(hit.decision), .requestID: hit.trace.requestID, .date: dates.now(),
        ]
        let elapsed = g.clock.uptime() - hit.trace.started
        g.metrics.request(route: Self.route, method: "POST", status: 200, duration: elapsed)
        RequestLogMiddleware.log(gateway: g, method: "POST", route: Self.route, status: 200, elapsed: elapsed, trace: hit.trace)
        return HTTPResponse(status: .ok, headerFields: fields)
    }

    /// The route's label in metrics and logs, as the router names it.
    static let route = "/v1/query"
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
