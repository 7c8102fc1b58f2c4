import Core
import Hummingbird
import Logging

/// The outermost layer: gives the request an id, turns every error into the JSON error
/// shape (404 and 405 included), then writes one log line and the request metrics.
/// For a streamed answer the line is written when the response head is sent.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let gateway: Gateway
    /// What the router serves, for telling a 405 from a 404.
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = gateway.clock.uptime()
        let requestID = Self.requestID(from: request.headers[.requestID])
        context.trace.update {
            $0.requestID = requestID
            $0.started = started
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            response = ErrorResponses.response(for: unmatched(request), trace: context.trace)
        } catch {
            response = ErrorResponses.response(for: error, trace: context.trace)
        }
        Self.finish(
            &response.headers, gateway: gateway, method: request.method.rawValue, route: Self.routeLabel(context.endpointPath),
            status: response.status.code, trace: context.trace.snapshot)
        return response
    }

    /// What every response gets on its way out, the fast path's hits too: its request id, the
    /// request metrics and the request's one log line.
    static func finish(_ headers: inout HTTPFields, gateway: Gateway, method: String, route: String, status: Int, trace: RequestTrace.State) {
        headers[.requestID] = trace.requestID
        let elapsed = gateway.clock.uptime() - trace.started
        gateway.metrics.request(route: route, method: method, status: status, duration: elapsed)
        let level: Logger.Level = status >= 500 ? .error : .info
        guard gateway.logger.logLevel <= level else { return }
        var meta: Logger.Metadata = [
            "request_id": .string(trace.requestID),
            "method": .string(method),
            "route": .string(route),
            "status": .stringConvertible(status),
            "latency_ms": .stringConvertible((elapsed.seconds * 1000 * 1000).rounded() / 1000),
        ]
        if let s = trace.subject { meta["subject"] = .string(s) }
        if let c = trace.cache { meta["cache"] = .string(c) }
        if let r = trace.rateLimitRemaining { meta["ratelimit_remaining"] = .stringConvertible(r) }
        if let e = trace.errorCode { meta["error_code"] = .string(e) }
        if let d = trace.errorDetail { meta["error_detail"] = .string(d) }
        if gateway.configuration.logQuestions, let q = trace.question { meta["question"] = .string(q) }
        gateway.logger.log(level: level, "request", metadata: meta)
    }

    /// A 405 when the path exists with other methods, else a 404; both in the JSON error shape.
    func unmatched(_ request: Request) -> GatewayError {
        let path = request.uri.path
        let allowed = routes.allowedMethods(path: path)
        if !allowed.isEmpty {
            return GatewayError(
                .methodNotAllowed,
                BedsideError(
                    .methodNotAllowed,
                    "\(request.method.rawValue) is not allowed on \(RouteTable.printable(path)); use \(allowed.joined(separator: " or "))."),
                headers: [.allow: allowed.joined(separator: ", ")])
        }
        return GatewayError(
            BedsideError(.notFound, "There is no route \(request.method.rawValue) \(RouteTable.printable(path)). See docs/api.md for the routes."))
    }

    /// The route template for metrics and logs, so that ids do not multiply label values.
    static func routeLabel(_ endpoint: String?) -> String {
        guard let endpoint, endpoint != "NotFound" else { return "unmatched" }
        return endpoint
    }

    /// The client's `X-Request-ID` when it is short and plain, otherwise a new random one.
    static func requestID(from header: String?) -> String {
        if let header, (1...64).contains(header.utf8.count),
            header.utf8.allSatisfy({
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
            })
        {
            return header
        }
        let r = UInt64.random(in: .min ... .max)
        let hex = String(r, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
