import Core
import Hummingbird
import Logging

/// The per-request context: Hummingbird's core storage, the authenticated subject, and the
/// trace that the request-log middleware turns into one log line.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The token's subject, set by the auth middleware on `/v1` routes.
    public var subject: String?
    /// The token's roles (e.g. `auditor`), set with the subject.
    public var roles: Set<String> = []
    let trace = RequestTrace()
    /// The connection's question decoded by the fast path, when it is on (`DecodedQuery`).
    let decoded = DecodedQuery.connection

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}

/// What one request did, filled in by whichever layer learns it (auth: subject; rate
/// limit: remaining; query: cache result) and read once by the request-log middleware.
final class RequestTrace: Sendable {
    struct State: Sendable {
        var requestID = ""
        var started: Duration = .zero
        var subject: String?
        var cache: String?
        var rateLimitRemaining: Int?
        var question: String?
        var errorCode: String?
        var errorDetail: String?
    }

    private let state = Locked(State())

    func update(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
    var snapshot: State { state.withLock { $0 } }
    var requestID: String { state.withLock { $0.requestID } }
    var started: Duration { state.withLock { $0.started } }
}
