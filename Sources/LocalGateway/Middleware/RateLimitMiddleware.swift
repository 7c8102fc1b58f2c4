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
        response.headers[.rateLimitPolicy] = limiter.policyHeader
        response.headers[.rateLimit] = RateLimiter.header(decision)
        return response
    }
}
