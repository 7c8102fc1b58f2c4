import Core
import Foundation

/// Turns a gateway response (status, headers, body) into a value or a `BedsideError`.
/// Pure, so the error mapping is tested without HTTP.
enum GatewayResponse {
    /// The error for a non-2xx response: the gateway's `{"error":{…}}` envelope when present,
    /// otherwise one made from the status code.
    static func error(status: Int, body: Data, retryAfterHeader: String? = nil) -> BedsideError {
        let headerRetry = retryAfterHeader.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if let envelope = try? WireCoding.decoder().decode(ErrorEnvelope.self, from: body) {
            var e = envelope.error
            if e.retryAfter == nil { e.retryAfter = headerRetry }
            return e
        }
        let (code, message): (BedsideError.Code, String) =
            switch status {
            case 400: (.badRequest, "The gateway rejected the request.")
            case 401: (.unauthorized, "The gateway refused the token.")
            case 403: (.forbidden, "The token is not allowed to do this.")
            case 404: (.notFound, "Not found.")
            case 413: (.payloadTooLarge, "The question is too large.")
            case 429: (.rateLimited, "Too many questions; slow down.")
            case 503: (.inferenceUnavailable, "Inference is unavailable.")
            case 504: (.timeout, "The gateway timed out.")
            default: (.upstream, "The gateway answered HTTP \(status).")
            }
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
        return BedsideError(code, message, detail: snippet.isEmpty ? nil : snippet, retryAfter: headerRetry)
    }

    /// Decodes a 2xx JSON body.
    static func decode<T: Decodable>(_ type: T.Type, from body: Data) throws -> T {
        do {
            return try WireCoding.decoder().decode(T.self, from: body)
        } catch {
            throw BedsideError(.upstream, "The gateway sent a response Bedside cannot read.", detail: String(describing: error))
        }
    }

    /// `/readyz`: the status code with whichever body it carried (an inference status or an error).
    static func readiness(status: Int, body: Data) -> Readiness {
        let decoder = WireCoding.decoder()
        return Readiness(
            httpStatus: status, status: try? decoder.decode(InferenceStatus.self, from: body),
            error: (try? decoder.decode(ErrorEnvelope.self, from: body))?.error)
    }
}
