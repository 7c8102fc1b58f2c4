import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Behind the edge handlers, in front of Hummingbird: collects a `POST /v1/query` that
/// `CachedQueryFastPath` may take and answers it on the event loop when it is a plain
/// cache hit; every other request, and one the fast path declines, goes on to the router
/// exactly as it arrived.
///
/// Responses leave in request order: a request is taken only when the router has nothing
/// outstanding on this connection, and while a taken one waits for its audit row, the
/// parts of later (pipelined) requests are held, and reading stops, until it is answered.
final class CachedQueryHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case idle
        /// A request the fast path may take, its body arriving.
        case collecting(HTTPRequest, ByteBuffer, started: Duration)
        /// The current request is the router's.
        case passing
        /// A taken request waits for its audit row (kept to hand it on if the commit fails).
        case answering(HTTPRequest, ByteBuffer)
    }

    private let path: CachedQueryFastPath
    private let decoded: DecodedQuery
    private let bodyLimit: Int
    private var state = State.idle
    /// Requests handed to the router and not yet answered.
    private var routed = 0
    /// Parts that arrived while answering, events (end of input, shutdown) that arrived while
    /// a request is here and not behind, and a read asked for meanwhile. Events are held:
    /// passed on, they would let the layers behind close a connection they believe idle
    /// before its answer is written.
    private var held: [HTTPRequestPart] = []
    private var heldEvents: [Any] = []
    private var readPending = false

    private var isAnswering: Bool {
        if case .answering = state { true } else { false }
    }

    /// A request is here that the layers behind have not seen (collecting or answering).
    private var isHolding: Bool {
        switch state {
        case .collecting, .answering: true
        case .idle, .passing: false
        }
    }

    init(path: CachedQueryFastPath, decoded: DecodedQuery) {
        self.path = path
        self.decoded = decoded
        self.bodyLimit = path.gateway.configuration.bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isAnswering {
            held.append(part)
        } else {
            receive(part, context: context)
            releaseEvents(context: context)
        }
    }

    private func receive(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            let declared = head.headerFields[.contentLength].flatMap { Int($0) }
            if routed == 0, path.accepts(head), let declared, declared <= bodyLimit {
                state = .collecting(head, ByteBuffer(), started: path.gateway.clock.uptime())
            } else {
                route([part], context: context)
            }
        case (.collecting(let head, var body, let started), .body(var chunk)):
            guard body.readableBytes + chunk.readableBytes <= bodyLimit else {
                route([.head(head), .body(body), part], context: context)
                return
            }
            state = .idle // drop the reference so the buffer is written in place
            body.writeBuffer(&chunk)
            state = .collecting(head, body, started: started)
        case (.collecting(let head, let body, let started), .end(let trailers)):
            if trailers == nil, let hit = path.prepare(head: head, body: body, started: started, decoded: decoded) {
                state = .answering(head, body)
                answer(hit, context: context)
            } else {
                route([.head(head), .body(body), part], context: context)
            }
        case (.passing, _), (.idle, _), (.collecting, .head), (.answering, _):
            route([part], context: context)
        }
    }

    /// Hands parts to the router; the request they belong to is the router's to answer.
    private func route(_ parts: [HTTPRequestPart], context: ChannelHandlerContext) {
        for part in parts {
            if case .head = part { routed += 1 }
            context.fireChannelRead(wrapInboundOut(part))
        }
        if case .end = parts.last { state = .idle } else { state = .passing }
    }

    private func releaseEvents(context: ChannelHandlerContext) {
        guard !isHolding, !heldEvents.isEmpty else { return }
        let events = heldEvents
        heldEvents = []
        for event in events { context.fireUserInboundEventTriggered(event) }
    }

    private func answer(_ hit: CachedQueryFastPath.Hit, context: ChannelHandlerContext) {
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        path.commit(hit) { result in
            loop.execute {
                let (handler, context) = bound.value
                handler.finish(result, context: context)
            }
        }
    }

    private func finish(_ result: Result<(HTTPResponse, ByteBuffer), any Error>, context: ChannelHandlerContext) {
        guard case .answering(let head, let body) = state else { return }
        switch result {
        case .success(let (response, bytes)):
            state = .idle
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            context.write(wrapOutboundOut(.body(bytes)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .failure:
            // Nothing was sent and no row written: the router answers (and says what failed).
            route([.head(head), .body(body), .end(nil)], context: context)
        }
        let parts = held
        held = []
        for part in parts {
            if isAnswering { held.append(part) } else { receive(part, context: context) }
        }
        context.fireChannelReadComplete()
        releaseEvents(context: context)
        if readPending, held.isEmpty {
            readPending = false
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if isHolding {
            heldEvents.append(event)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// While a taken request waits with later parts held, no more is read.
    func read(context: ChannelHandlerContext) {
        if isAnswering, !held.isEmpty {
            readPending = true
            return
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { routed = max(0, routed - 1) }
        context.write(data, promise: promise)
    }

    /// A framing error while collecting: the router gets what arrived, then the error, and
    /// answers it as it would have.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .collecting(let head, let body, _) = state {
            route([.head(head), .body(body)], context: context)
        }
        context.fireErrorCaught(error)
        releaseEvents(context: context)
    }
}
