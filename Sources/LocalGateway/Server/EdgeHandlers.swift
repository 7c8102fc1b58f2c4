import Core
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// One connection's state at the HTTP edge, shared by its two handlers (the byte-level
/// `EdgeByteHandler` in front of the HTTP decoder and the request-level `EdgeHTTPHandler`
/// behind it). Everything here runs on the channel's event loop.
///
/// What it enforces:
/// - a request's head must arrive within `headerTimeout` of its first byte, its body within
///   `bodyTimeout` of its head (408 JSON, then closed); a kept-alive connection with nothing
///   in flight is closed after `idleTimeout`, a new one that sends nothing after `headerTimeout`;
/// - a response sent before its request was read whole (413, 401, a framing error, 408…)
///   carries `Connection: close`, after which the connection "lingers": the output is shut,
///   input is read and thrown away (never buffered) for at most `lingerTimeout` and
///   `lingerBytes`, so the client can finish sending and read the answer, then it is closed;
/// - framing errors the decoder finds before any route runs (header too large, invalid
///   bytes, bad request line) are answered here with the JSON error shape;
/// - the connection cap: beyond `maxConnections`, a raw 503 JSON answer, then closed.
///
/// One timer per connection at most; it is moved only when a deadline becomes earlier than
/// the scheduled one, and otherwise re-armed when it fires, so the keep-alive hot path
/// costs a clock read and a few comparisons per request.
final class EdgeConnection {
    enum Reading {
        /// Between requests: nothing of the next one has arrived.
        case idle(since: NIODeadline)
        /// Part of a request head has arrived.
        case head(since: NIODeadline)
        /// The head went to the router; the body is arriving.
        case body(since: NIODeadline)
        /// The request was read whole.
        case complete
    }

    enum Mode {
        case normal
        /// A route was told its body failed (timeout, framing) and is answering; input is discarded.
        case discarding
        /// Answered; output shut; input read and discarded until the deadline, then closed.
        case lingering(until: NIODeadline)
        case closed
    }

    let limits: EdgeLimits
    let counter: ConnectionCounter
    let logger: Logger
    var reading: Reading = .idle(since: .now())
    var mode: Mode = .normal
    /// Heads passed to the router, request ends seen, responses completed.
    var headsIn = 0
    var endsIn = 0
    var responsesEnded = 0
    /// The current response carries `Connection: close` and is followed by a linger.
    var closeAfterResponse = false
    /// The request (by its count in `headsIn`) that sent `Connection: close`: Hummingbird
    /// closes after answering it, and its response says so (RFC 9112, 9.6).
    var closeRequestedBy: Int?
    /// The edge wrote an answer itself: nothing more is passed either way.
    var answeredHere = false
    /// Set when a route was told its body failed: it must have answered by then.
    var answerDeadline: NIODeadline?
    var discarded = 0
    var counted = false
    var byteContext: ChannelHandlerContext?
    var httpContext: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(limits: EdgeLimits, counter: ConnectionCounter, logger: Logger) {
        self.limits = limits
        self.counter = counter
        self.logger = logger
    }

    var isLingeringOrClosed: Bool {
        switch mode {
        case .lingering, .closed: true
        case .normal, .discarding: false
        }
    }

    // MARK: Deadlines

    /// When something must happen next on this connection, if anything.
    func deadline() -> NIODeadline? {
        switch mode {
        case .lingering(let until): return until
        case .closed: return nil
        case .discarding: return answerDeadline
        case .normal: break
        }
        if let answerDeadline { return answerDeadline }
        let idle = headsIn == responsesEnded
        switch reading {
        case .body(let since): return since + limits.bodyTimeout
        case .head(let since): return idle ? since + limits.headerTimeout : nil
        case .idle(let since): return idle ? since + (headsIn == 0 ? limits.headerTimeout : limits.idleTimeout) : nil
        case .complete: return nil
        }
    }

    /// Makes sure the timer fires no later than the current deadline.
    func reschedule() {
        guard let due = deadline() else { return }
        if let scheduled = timerDeadline, scheduled <= due { return }
        timer?.cancel()
        schedule(due)
    }

    private func schedule(_ due: NIODeadline) {
        guard let context = byteContext else { return }
        timerDeadline = due
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: due) { [self] in
            timer = nil
            timerDeadline = nil
            guard let due = deadline() else { return }
            if due > .now() { schedule(due) } else { expire() }
        }
    }

    func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }

    /// A deadline passed.
    private func expire() {
        switch mode {
        case .closed: return
        case .lingering, .discarding:
            closeNow()
            return
        case .normal: break
        }
        if answerDeadline != nil {
            logger.info("edge", metadata: ["event": "no_answer_after_failure", "action": "closed"])
            closeNow()
            return
        }
        switch reading {
        case .body:
            // The route is waiting for the body: fail its read so it answers 408 (and the
            // request is logged); the response then closes the connection.
            logger.info("edge", metadata: ["event": "body_timeout", "status": "408"])
            closeAfterResponse = true
            mode = .discarding
            answerDeadline = .now() + limits.answerGrace
            httpContext?.fireErrorCaught(BodyReadTimeout())
            reschedule()
        case .head:
            logger.info("edge", metadata: ["event": "header_timeout", "status": "408"])
            answer(EdgeErrors.timedOut("headers"))
        case .idle:
            closeNow()
        case .complete:
            break
        }
    }

    // MARK: Actions

    /// Writes `failure` as a complete JSON response from the edge (no route is running), then lingers.
    func answer(_ failure: GatewayError) {
        guard let context = httpContext, !answeredHere else {
            closeNow()
            return
        }
        answeredHere = true
        let body = EdgeErrors.body(failure)
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes), .connection: "close"]
        if let retry = failure.error.retryAfter { fields[.retryAfter] = String(retry) }
        context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: failure.status, headerFields: fields))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: nil)
        startLinger()
    }

    /// Shuts the output once the answer is flushed, then reads and discards input until
    /// the client closes, `lingerTimeout` passes or `lingerBytes` have been discarded.
    func startLinger() {
        guard !isLingeringOrClosed else { return }
        mode = .lingering(until: .now() + limits.lingerTimeout)
        guard let context = byteContext else { return }
        context.close(mode: .output, promise: nil)
        context.read()
        cancelTimer()
        reschedule()
    }

    func closeNow() {
        if case .closed = mode { return }
        mode = .closed
        cancelTimer()
        byteContext?.close(promise: nil)
    }

    /// Counts discarded input; closes once over the bound.
    func discard(_ bytes: Int) {
        discarded += bytes
        if discarded > limits.lingerBytes { closeNow() }
    }
}

/// In front of the HTTP decoder (behind TLS): counts the connection against the cap,
/// notices the first byte of each request, and throws input away while answering early or lingering.
final class EdgeByteHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let edge: EdgeConnection
    private var activated = false

    init(_ edge: EdgeConnection) { self.edge = edge }

    func handlerAdded(context: ChannelHandlerContext) {
        edge.byteContext = context
        if context.channel.isActive { activate(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        edge.byteContext = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        edge.mode = .closed
        context.fireChannelInactive()
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !activated else { return }
        activated = true
        edge.counted = true
        edge.reading = .idle(since: .now())
        if edge.counter.open() > edge.limits.maxConnections {
            edge.logger.info("edge", metadata: ["event": "connection_cap", "status": "503", "open": "\(edge.counter.current)"])
            edge.answeredHere = true
            context.writeAndFlush(NIOAny(EdgeErrors.rawResponse(EdgeErrors.tooManyConnections())), promise: nil)
            edge.startLinger()
            return
        }
        edge.reschedule()
    }

    private func release() {
        edge.cancelTimer()
        if edge.counted {
            edge.counted = false
            edge.counter.close()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch edge.mode {
        case .normal:
            switch edge.reading {
            case .idle, .complete:
                edge.reading = .head(since: .now())
                edge.reschedule()
            case .head, .body:
                break
            }
            context.fireChannelRead(data)
        case .discarding, .lingering:
            edge.discard(unwrapInboundIn(data).readableBytes)
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch edge.mode {
        case .discarding, .lingering:
            // Keep reading whatever the layers behind do with backpressure: discarded bytes cost nothing.
            context.read()
        case .normal, .closed:
            break
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .lingering = edge.mode, let e = event as? ChannelEvent, e == .inputClosed {
            edge.closeNow()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Behind the HTTP/1 codec: tracks requests and responses, closes after a response sent
/// before its request was read whole, and turns decoder errors into JSON answers.
final class EdgeHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let edge: EdgeConnection

    init(_ edge: EdgeConnection) { self.edge = edge }

    func handlerAdded(context: ChannelHandlerContext) { edge.httpContext = context }
    func handlerRemoved(context: ChannelHandlerContext) { edge.httpContext = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !edge.answeredHere, case .normal = edge.mode else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            edge.headsIn += 1
            if edge.closeRequestedBy == nil, head.headerFields[.connection] == "close" { edge.closeRequestedBy = edge.headsIn }
            edge.reading = .body(since: .now())
            edge.reschedule()
        case .body:
            break
        case .end:
            edge.endsIn += 1
            if case .body = edge.reading { edge.reading = .complete }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if edge.answeredHere || edge.isLingeringOrClosed {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var response):
            if edge.closeRequestedBy == edge.responsesEnded + 1 { response.headerFields[.connection] = "close" }
            // The request being answered has not been read whole: close after this answer
            // instead of draining an unknown amount (which a hostile client makes endless).
            if edge.endsIn <= edge.responsesEnded || edge.closeAfterResponse {
                edge.closeAfterResponse = true
                response.headerFields[.connection] = "close"
            }
            context.write(wrapOutboundOut(.head(response)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            edge.responsesEnded += 1
            if edge.closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                edge.startLinger()
                return
            }
            context.write(data, promise: promise)
            if edge.headsIn == edge.responsesEnded {
                switch edge.reading {
                case .complete, .idle: edge.reading = .idle(since: .now())
                case .head: edge.reading = .head(since: .now())
                case .body: break
                }
                edge.reschedule()
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if edge.answeredHere || edge.isLingeringOrClosed { return }
        if case .discarding = edge.mode { return }
        guard let failure = EdgeErrors.clientError(for: error) else {
            context.fireErrorCaught(error)
            return
        }
        let answering = edge.responsesEnded + 1
        if edge.headsIn >= answering && edge.endsIn < answering {
            // A route is reading this request's body: it answers (400/413) and the connection closes after.
            edge.closeAfterResponse = true
            edge.mode = .discarding
            edge.answerDeadline = .now() + edge.limits.answerGrace
            edge.reschedule()
            context.fireErrorCaught(error)
        } else if edge.headsIn == edge.responsesEnded {
            edge.logger.info("edge", metadata: ["event": "bad_request", "status": "\(failure.status.code)", "error": "\(error)"])
            edge.answer(failure)
        } else {
            // A later pipelined request is broken while an earlier one is being answered:
            // finish that answer, then close.
            edge.closeAfterResponse = true
            edge.mode = .discarding
        }
    }
}
