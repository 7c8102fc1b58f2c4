import Core
import Foundation
import Hummingbird
import Logging
import SQLiteStore
import SharedState

/// `POST /v1/query`: cache, inference, stale-if-error, then save, audit, respond.
///
/// Order matters for the audit trail: the answer is saved and the audit row committed
/// before the response (or, when streaming, before the final `done` event) is sent, so a
/// crash right after a client saw an answer never loses its record.
struct QueryRoute: Sendable {
    let gateway: Gateway

    /// What the cache did for a request, as logged and counted.
    enum CacheResult: String {
        case hit, miss, stale, bypass
    }

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var request = request
        let body = try await QueryBody.readBytes(&request, limit: gateway.configuration.bodyLimit)
        // Decoded once: by the fast path when it read this request and handed it on.
        let query = try context.decoded?.take(body: body) ?? QueryRequest.decode(body: body)
        // The status is read once: the cache key, and the rows of errors and streams, use this one.
        let call = Call(
            query: query, subject: context.subject ?? "", trace: context.trace,
            wantsStream: Self.accepts(request.headers[.accept], "text/event-stream"),
            noCache: Self.noCache(request.headers[.cacheControl]), status: try? await gateway.statusCache.current())
        if gateway.configuration.logQuestions { call.trace.update { $0.question = query.question } }

        let key = call.status.map { CacheKey(request: query, indexVersion: $0.indexVersion, model: $0.model, retriever: $0.retriever) }
        if let key, !call.noCache, let hot = await gateway.cache.fresh(key) {
            record(.hit, call)
            let (answer, hit) = try await serveCached(hot.entry.answer, hot: hot, call)
            return try respond(answer, call, cache: .hit, body: hit.body)
        }
        let cacheResult: CacheResult = call.noCache ? .bypass : .miss
        record(cacheResult, call)
        if call.wantsStream { return try await streamFresh(gateway.inference.answer(query), key: key, call, cache: cacheResult) }
        do {
            let answer = try await gateway.inference.complete(query)
            let saved = try await saveFresh(answer, key: key, call)
            return try respond(saved, call, cache: cacheResult)
        } catch {
            return try await fallback(after: error, key: key, call)
        }
    }

    /// The request's parts the steps below need.
    struct Call: Sendable {
        var query: QueryRequest
        var subject: String
        var trace: RequestTrace
        var wantsStream: Bool
        var noCache: Bool
        /// Inference's status when the request arrived (nil when never known): index version and model.
        var status: InferenceStatus?
    }

    // MARK: Steps

    private func record(_ result: CacheResult, _ call: Call) {
        call.trace.update { $0.cache = result.rawValue }
        gateway.metrics.cache(result.rawValue)
    }

    /// Milliseconds since `started`, to two decimals: an answer's `latency_ms`.
    static func elapsedMS(since started: Duration, clock: GatewayClock) -> Double {
        ((clock.uptime() - started).seconds * 1000 * 100).rounded() / 100
    }

    /// A cached answer served now (`CacheHit`), audited; `hot` is nil for the stale fallback.
    private func serveCached(_ stored: Answer, hot: ResponseCache.Hot?, _ call: Call) async throws -> (answer: Answer, hit: CacheHit) {
        let own = try await gateway.ownership.own(stored, subject: call.subject, question: call.query.question)
        let served = CacheHit.serve(
            stored, to: own, hot: hot, subject: call.subject, requestID: call.trace.requestID, started: call.trace.started, clock: gateway.clock)
        try await gateway.state.appendAudit(served.hit.record)
        return served
    }

    /// A new answer: saved (gets its id), cached unless partial or stale, audited.
    /// - Parameters:
    ///   - answerID: the id announced when a stream opened (its opening audit row names it).
    ///   - opening: that opening audit row, which this answer's row completes.
    private func saveFresh(_ generated: Answer, key: CacheKey?, _ call: Call, answerID: String? = nil, opening: Int64? = nil) async throws -> Answer {
        var answer = generated
        answer.answerID = answerID
        answer.cached = false
        answer.latencyMS = Self.elapsedMS(since: call.trace.started, clock: gateway.clock)
        answer = try await gateway.state.saveAnswer(answer, subject: call.subject)
        gateway.ownership.remember(answer, subject: call.subject)
        if !answer.incomplete, !answer.stale {
            await gateway.cache.store(
                answer,
                key: key
                    ?? CacheKey(
                        request: call.query, indexVersion: answer.indexVersion, model: answer.model,
                        retriever: answer.retriever))
        }
        var record = AuditRecord(answer: answer, subject: call.subject, requestID: call.trace.requestID)
        record.refID = opening
        try await audit(record)
        return answer
    }

    @discardableResult
    private func audit(_ record: AuditRecord) async throws -> Int64 {
        var r = record
        r.at = gateway.clock.now()
        return try await gateway.state.appendAudit(r)
    }

    /// Inference failed before anything was sent: the newest answer of the lineage marked
    /// stale, or a 503 saying when to retry. A bad request is the client's, not inference's.
    private func fallback(after error: any Error, key: CacheKey?, _ call: Call) async throws -> Response {
        if error is CancellationError { throw error }
        if let e = error as? BedsideError, e.code.isClientError { throw GatewayError(e) }
        if let e = error as? BedsideError, e.code.isDatabase { throw ErrorResponses.databaseError(e) }
        let failure = Self.inferenceFailure(error)
        gateway.metrics.inferenceError(code: failure.code.rawValue)
        call.trace.update { $0.errorDetail = failure.detail ?? failure.message }
        // The lineage needs neither model nor index version: a gateway that never reached
        // inference can still replay what this database answered before.
        let lineageKey = key ?? CacheKey(request: call.query, indexVersion: 0, model: "")
        if let entry = await gateway.cache.staleFallback(lineageKey) {
            record(.stale, call)
            return try respond(try await serveCached(entry.answer, hot: nil, call).answer, call, cache: .stale)
        }
        await auditOutcome("error:\(failure.code.rawValue)", call)
        if failure.isRefusedReply { throw GatewayError(failure) } // a peer's reply refused (issue 19): 502, not an outage
        let retry = failure.retryAfter ?? gateway.configuration.defaultRetryAfter
        let code: BedsideError.Code = failure.code == .timeout ? .timeout : .inferenceUnavailable
        throw BedsideError(
            code, "\(failure.message) No cached answer to this question is available; try again in \(retry) s.", detail: failure.detail,
            retryAfter: retry)
    }

    /// A row with no answer behind it: an error, or a client that went away mid-stream.
    private func auditOutcome(_ outcome: String, _ call: Call, opening: Int64? = nil, detail: String = "") async {
        let record = AuditRecord(
            requestID: call.trace.requestID, subject: call.subject, question: call.query.question, answerID: nil,
            sources: [], model: call.status?.model ?? "", indexVersion: call.status?.indexVersion ?? 0,
            outcome: outcome, refID: opening, detail: detail)
        do { try await audit(record) } catch {
            gateway.logger.error("audit write failed", metadata: ["request_id": .string(call.trace.requestID), "error": "\(error)"])
        }
    }

    /// What a stream that failed after it started tells its client: a database failure
    /// (saving the answer) in the gateway's own words, without the file's path.
    static func streamFailure(_ error: any Error) -> BedsideError {
        if let e = error as? BedsideError, e.code.isDatabase { return ErrorResponses.databaseError(e).error }
        return inferenceFailure(error)
    }

    static func inferenceFailure(_ error: any Error) -> BedsideError {
        if let e = error as? BedsideError { return e }
        return BedsideError(.inferenceUnavailable, "Inference failed.", detail: String(describing: error))
    }

    // MARK: Streaming

    /// Streams a new answer. The first event is awaited before the status is chosen, so a
    /// failure that early still gets the stale answer or a 503; after that, a failure
    /// becomes an `error` event.
    private func streamFresh(_ stream: AsyncThrowingStream<AnswerEvent, any Error>, key: CacheKey?, _ call: Call, cache: CacheResult) async throws
        -> Response
    {
        let events = AnswerEventSource(stream)
        let first: AnswerEvent
        do {
            guard let e = try await events.next() else { throw BedsideError(.upstream, "Inference ended without an answer.") }
            if case .error(let failure) = e { throw failure }
            first = e
        } catch {
            return try await fallback(after: error, key: key, call)
        }
        // The audit row is committed before the first answer byte leaves: a stream whose row
        // cannot be written sends no answer at all. Its outcome is a second row (the trail is
        // append-only) that names this one: answered, an error, or `disconnected`.
        let answerID = UUID().uuidString.lowercased()
        let opening: Int64
        do {
            opening = try await audit(
                AuditRecord(
                    requestID: call.trace.requestID, subject: call.subject, question: call.query.question,
                    answerID: answerID, sources: [], model: call.status?.model ?? "",
                    indexVersion: call.status?.indexVersion ?? 0, outcome: "streaming"))
        } catch {
            gateway.logger.error(
                "audit write failed; the stream is not sent", metadata: ["request_id": .string(call.trace.requestID), "error": "\(error)"])
            throw error
        }
        let body = ResponseBody { writer in
            var sentCitations = false
            var sentText = false
            var sentBytes = 0
            var next: AnswerEvent? = first
            do {
                while let event = next {
                    switch event {
                    case .citations:
                        sentCitations = true
                        try await writer.send([event])
                    case .delta(let text):
                        sentText = true
                        try await writer.send([event])
                        sentBytes += text.utf8.count
                    case .done(let generated):
                        let saved = try await saveFresh(generated, key: key, call, answerID: answerID, opening: opening)
                        var closing: [AnswerEvent] = []
                        if !sentCitations { closing.append(.citations(saved.citations)) }
                        if !sentText { closing.append(.delta(saved.answer)) }
                        closing.append(.done(saved))
                        try await writer.send(closing)
                        try await writer.end()
                        return
                    case .error(let failure):
                        throw failure
                    }
                    next = try await events.next()
                }
                throw BedsideError(.upstream, "Inference stopped before the answer was complete.")
            } catch  where error is SSEWire.WriteFailure || error is CancellationError {
                // The client went away; nothing more can be sent. What it was sent is on the record.
                await auditOutcome("disconnected", call, opening: opening, detail: "sent \(sentBytes) bytes of answer text")
                throw (error as? SSEWire.WriteFailure)?.underlying ?? error
            } catch {
                try await endStreamWithError(error, call, opening: opening, writer: &writer)
            }
        }
        return Response(status: .ok, headers: Self.streamHeaders(cache: cache), body: body)
    }

    private func endStreamWithError(_ error: any Error, _ call: Call, opening: Int64, writer: inout any ResponseBodyWriter) async throws {
        let failure = Self.streamFailure(error)
        if !failure.code.isDatabase { gateway.metrics.inferenceError(code: failure.code.rawValue) }
        gateway.logger.warning(
            "answer stream failed",
            metadata: [
                "request_id": .string(call.trace.requestID), "code": .string(failure.code.rawValue),
                "detail": .string(failure.detail ?? failure.message),
            ])
        await auditOutcome("error:\(failure.code.rawValue)", call, opening: opening)
        var shown = failure
        shown.detail = nil
        if shown.retryAfter == nil { shown.retryAfter = gateway.configuration.defaultRetryAfter }
        try await writer.write(SSEWire.buffer([.error(shown)]))
        try await writer.finish(nil)
    }

    // MARK: Responses

    /// - Parameter body: the answer's JSON when already made (a hit's `CacheHit.body`).
    private func respond(_ answer: Answer, _ call: Call, cache: CacheResult, body: ByteBuffer? = nil) throws -> Response {
        let headers = Self.headers(cache: cache, stale: answer.stale)
        if call.wantsStream {
            var h = Self.streamHeaders(cache: cache)
            for field in headers where h[field.name] == nil { h.append(field) }
            return Response(
                status: .ok, headers: h,
                body: .init(byteBuffer: SSEWire.buffer([.citations(answer.citations), .delta(answer.answer), .done(answer)])))
        }
        guard let body else { return try JSONCoding.response(answer, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// The route's headers on an answer sent as JSON (the fast path sends a hit's with these
    /// too; the middlewares add theirs).
    static func headers(cache: CacheResult, stale: Bool) -> HTTPFields {
        var headers: HTTPFields = [.bedsideCache: cache.rawValue, .cacheControl: "no-store"]
        if stale {
            headers[.warning] = #"110 - "Response is Stale""#
            headers[.bedsideStale] = "1"
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return headers
    }

    static func streamHeaders(cache: CacheResult) -> HTTPFields {
        [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .bedsideCache: cache.rawValue]
    }

    /// True when an `Accept` header lists `type` (parameters and q-values ignored).
    static func accepts(_ header: String?, _ type: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == type
        }
    }

    /// True when `Cache-Control` contains the `no-cache` directive.
    static func noCache(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("no-cache") }
    }
}
