import Core
import Foundation

/// Turns a failed upstream exchange into a `BedsideError` a clinician can act on, with the
/// server's own words kept in `detail` for logs.
enum UpstreamFailure {
    /// The error message inside a JSON error body, in the shapes OpenAI-compatible servers and
    /// Qdrant use: `{"error":{"message":…}}`, `{"error":"…"}`, `{"status":{"error":…}}`, `{"message":…}`.
    static func message(from body: [UInt8]) -> String {
        let fallback = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), case .object(let o) = value else {
            return fallback
        }
        if case .object(let e)? = o["error"], let m = e["message"]?.textValue { return m }
        if let m = o["error"]?.textValue { return m }
        if case .object(let s)? = o["status"], let m = s["error"]?.textValue { return m }
        if let m = o["message"]?.textValue { return m }
        return fallback
    }

    /// `Retry-After` in seconds, when the header is a number.
    static func retryAfter(_ headers: [String: String]) -> Double? {
        headers["retry-after"].flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The error for a non-2xx status from `service` (e.g. "The embedding server").
    static func http(service: String, url: String, status: Int, body: [UInt8], headers: [String: String] = [:]) -> BedsideError {
        let said = message(from: body)
        let detail = "HTTP \(status) from \(url): \(said)"
        let retry = retryAfter(headers).map { Int($0.rounded(.up)) }
        switch status {
        case 401, 403:
            return BedsideError(.upstream, "\(service) refused the credentials (HTTP \(status)). Check the API key setting.", detail: detail)
        case 404:
            return BedsideError(
                .upstream, "\(service) does not know this request (HTTP 404). Check the URL (OpenAI-style base URLs end in /v1) and the model name.",
                detail: detail)
        case 429:
            return BedsideError(.inferenceUnavailable, "\(service) is busy (HTTP 429). Try again shortly.", detail: detail, retryAfter: retry ?? 5)
        case 503:
            return BedsideError(
                .inferenceUnavailable, "\(service) is not ready (HTTP 503); it may still be loading its model.", detail: detail,
                retryAfter: retry ?? 5)
        case 500...599:
            return BedsideError(.upstream, "\(service) failed (HTTP \(status)).", detail: detail)
        default:
            return BedsideError(.upstream, "\(service) rejected the request (HTTP \(status)): \(said.prefix(200))", detail: detail)
        }
    }

    /// The error for a transport failure talking to `service`.
    static func transport(service: String, url: String, _ error: any Error) -> any Error {
        guard let e = error as? TransportError else { return error }
        switch e {
        case .timeout(let d):
            return BedsideError(.timeout, "\(service) did not answer in time.", detail: d)
        case .connection(let d):
            return BedsideError(
                .inferenceUnavailable, "\(service) at \(url) cannot be reached. Is it running? (`bedside doctor` checks every component.)",
                detail: d, retryAfter: 5)
        case .tooLarge(let n):
            return BedsideError(.upstream, "\(service) sent a response larger than \(n) bytes.", detail: url)
        }
    }
}

extension String {
    /// Joins a base URL and a path with exactly one slash (`http://h/v1/` + `/models`).
    func appendingPath(_ path: String) -> String {
        var base = self
        while base.hasSuffix("/") { base.removeLast() }
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }
}
