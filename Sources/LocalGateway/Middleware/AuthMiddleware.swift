import Hummingbird

/// Requires a valid bearer token on `/v1` routes and records its subject. A failure is a
/// 401 with a `WWW-Authenticate` challenge; the token itself is never logged.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let verifier: TokenVerifier
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let identity: VerifiedIdentity
        do {
            identity = try await verifier.authenticate(authorization: request.headers[.authorization])
        } catch {
            metrics.authFailure(kind: error.kind.rawValue)
            throw error
        }
        var context = context
        context.subject = identity.subject
        context.roles = identity.roles
        context.trace.update { $0.subject = identity.subject }
        return try await next(request, context)
    }
}
