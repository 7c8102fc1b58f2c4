import Core
import Hummingbird

extension BedsideError.Code {
    /// The route exists but not with this method (HTTP 405).
    public static let methodNotAllowed: BedsideError.Code = "method_not_allowed"
}

/// A `BedsideError` with the HTTP status and extra headers it should be sent with.
struct GatewayError: Error, Sendable {
    var status: HTTPResponse.Status
    var error: BedsideError
    var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ error: BedsideError, headers: HTTPFields = [:]) {
        self.status = status
        self.error = error
        self.headers = headers
    }

    init(_ error: BedsideError) {
        self.init(Self.status(for: error.code), error)
    }

    /// The HTTP status for each error code.
    static func status(for code: BedsideError.Code) -> HTTPResponse.Status {
        switch code {
        case .badRequest, .invalidQuestion: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .inferenceUnavailable, .timeout, .databaseLocked, .databaseUnavailable: .serviceUnavailable
        case .databaseInvalid, .database: .internalServerError
        case .upstream: .badGateway
        default: .internalServerError
        }
    }
}

/// Turns any error into the one JSON error shape, `{"error":{"code","message","retry_after"}}`.
/// Technical detail goes to the log (through the request trace), never to the client.
enum ErrorResponses {
    static func response(for error: any Error, trace: RequestTrace) -> Response {
        let failure = gatewayError(for: error)
        trace.update { s in
            s.errorCode = failure.error.code.rawValue
            if failure.status.code >= 500 || failure.error.detail != nil {
                s.errorDetail = failure.error.detail ?? (error is GatewayError || error is BedsideError ? nil : String(describing: error))
            }
        }
        return make(failure)
    }

    static func gatewayError(for error: any Error) -> GatewayError {
        switch error {
        case let e as GatewayError:
            return e
        case let e as BedsideError where e.code.isDatabase:
            return databaseError(e)
        case let e as BedsideError:
            return GatewayError(e)
        case let e as AuthFailure:
            return GatewayError(.unauthorized, e.bedsideError, headers: [.wwwAuthenticate: e.challenge])
        case let e as HTTPError:
            return GatewayError(e.status, BedsideError(code(for: e.status), e.body ?? e.status.reasonPhrase))
        case is CancellationError:
            return GatewayError(.serviceUnavailable, BedsideError(.internalError, "The request was cancelled."))
        default:
            // The client's framing mistakes (chunk sizes, truncated or oversized streamed bodies, a stalled body): 4xx, never 500.
            if let clientError = EdgeErrors.clientError(for: error) { return clientError }
            return GatewayError(
                BedsideError(
                    .internalError, "Something went wrong inside the gateway; the request id in X-Request-ID identifies it in the log.",
                    detail: String(describing: error)))
        }
    }

    /// A database failure as the client sees it: its `database_*` code and a plain message.
    /// The store's own message names the file's path, which is the server's business: it
    /// goes to the log (as detail) only.
    static func databaseError(_ e: BedsideError) -> GatewayError {
        let detail = e.detail.map { "\(e.message) (\($0))" } ?? e.message
        let (code, message, retry): (BedsideError.Code, String, Int?) =
            switch e.code {
            case .databaseLocked: (.databaseLocked, "The gateway's database is busy; try again shortly.", e.retryAfter ?? 2)
            case .databaseUnavailable: (.databaseUnavailable, "The gateway cannot reach its shared database; try again shortly.", e.retryAfter ?? 5)
            case .databaseInvalid: (.databaseInvalid, "The gateway's database is damaged; tell the gateway's administrator.", nil)
            default: (.database, "The gateway could not read or write its database; tell the gateway's administrator.", nil)
            }
        return GatewayError(BedsideError(code, message, detail: detail, retryAfter: retry))
    }

    static func make(_ failure: GatewayError) -> Response {
        var headers = failure.headers
        headers[.contentType] = "application/json; charset=utf-8"
        if let retry = failure.error.retryAfter, headers[.retryAfter] == nil { headers[.retryAfter] = String(retry) }
        return Response(status: failure.status, headers: headers, body: .init(byteBuffer: EdgeErrors.body(failure)))
    }

    /// The code of a framework `HTTPError`: the first of these whose status it has (`status(for:)` read backwards).
    private static func code(for status: HTTPResponse.Status) -> BedsideError.Code {
        let codes: [BedsideError.Code] = [
            .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .payloadTooLarge, .rateLimited, .inferenceUnavailable,
        ]
        return codes.first { GatewayError.status(for: $0).code == status.code } ?? (status.code >= 500 ? .internalError : .badRequest)
    }
}
