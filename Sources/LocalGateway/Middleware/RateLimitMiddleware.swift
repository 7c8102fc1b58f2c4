import Core
import Hummingbird

/// One token per request from the subject's bucket. Over the limit: 429 with
/// `Retry-After`. Every response (errors included) carries the IETF draft
/// `RateLimit-Policy` and `RateLimit` headers.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let limiter: RateLimiter
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let subject = context.subject ?? ""
        let decision = await limiter.take(subject: subject)
        context.trace.update { $0.rateLimitRemaining = decision.remaining }
        var response: Response
        if decision.allowed {
            do { response = try await next(request, context) } catch {
                response = ErrorResponses.response(for: error, trace: context.trace)
            }
        } else {
            metrics.rateLimited()
            let error = BedsideError(
                .rateLimited, "Too many requests for \(subject); wait \(decision.retryAfterSeconds) s and try again.",
                retryAfter: decision.retryAfterSeconds)
            response = ErrorResponses.response(for: GatewayError(.tooManyRequests, error), trace: context.trace)
        }
        Self.stamp(&response.headers, limiter: limiter, decision: decision)
        return response
    }

    /// The rate-limit headers of a response (the fast path's hits too).
    static func stamp(_ headers: inout HTTPFields, limiter: RateLimiter, decision: RateDecision) {
        headers[.rateLimitPolicy] = limiter.policyHeader
        headers[.rateLimit] = RateLimiter.header(decision)
    }
}
