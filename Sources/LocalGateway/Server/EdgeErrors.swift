import Core
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

extension BedsideError.Code {
    /// The request did not arrive in time (HTTP 408).
    public static let requestTimeout: BedsideError.Code = "request_timeout"
    /// The request head (request line and headers) is over the limit (HTTP 431).
    public static let headersTooLarge: BedsideError.Code = "headers_too_large"
    /// The gateway has as many connections open as it allows (HTTP 503).
    public static let tooManyConnections: BedsideError.Code = "too_many_connections"
}

/// Thrown into a route's body stream when the body did not arrive within the body read timeout.
struct BodyReadTimeout: Error, Sendable {}

/// The client's transport-level mistakes as the JSON error shape: framing and parse
/// errors from NIO's HTTP/1 decoder, a body over the limit while streaming, a stalled body.
/// None of them is the gateway's fault, so none is a 500.
enum EdgeErrors {
    static func timedOut(_ what: String) -> GatewayError {
        GatewayError(.requestTimeout, BedsideError(.requestTimeout, "The request \(what) did not arrive in time; the connection is closed."))
    }

    static func tooManyConnections() -> GatewayError {
        GatewayError(
            .serviceUnavailable, BedsideError(.tooManyConnections, "The gateway has too many connections open; try again shortly.", retryAfter: 1))
    }

    /// The client error for `error`, or nil when `error` is not a client's framing mistake.
    static func clientError(for error: any Error) -> GatewayError? {
        switch error {
        case let e as HTTPParserError:
            return parserError(e)
        case let e as ByteToMessageDecoderError:
            if case .dataReceivedInErrorState(let inner, _) = e { return clientError(for: inner) ?? malformed("The request could not be parsed.") }
            return malformed("The request could not be parsed.")
        case is HTTP1TypeConversionError:
            return malformed("The request line or a header is not valid HTTP.")
        case is NIOTooManyBytesError:
            return GatewayError(BedsideError(.payloadTooLarge, "The request body is over the size limit."))
        case is BodyReadTimeout:
            return timedOut("body")
        default:
            return nil
        }
    }

    static func parserError(_ e: HTTPParserError) -> GatewayError {
        if e == .headerOverflow {
            return GatewayError(.requestHeaderFieldsTooLarge, BedsideError(.headersTooLarge, "The request headers are too large."))
        }
        let message =
            switch e {
            case .invalidChunkSize: "The chunked request body has an invalid chunk size."
            case .invalidEOFState, .closedConnection: "The request ended before its body was complete."
            case .invalidContentLength, .unexpectedContentLength: "The Content-Length header is not valid."
            case .invalidHeaderToken, .invalidCharactersUsed: "A header holds characters HTTP does not allow."
            case .invalidMethod, .invalidURL, .invalidPath, .invalidQueryString, .invalidVersion: "The request line is not valid HTTP."
            default: "The request is not valid HTTP/1.1."
            }
        return malformed(message)
    }

    static func malformed(_ message: String) -> GatewayError {
        GatewayError(.badRequest, BedsideError(.badRequest, message))
    }

    /// The JSON error body for `failure`, without its detail (`ErrorResponses.make` sends it too).
    static func body(_ failure: GatewayError) -> ByteBuffer {
        var error = failure.error
        error.detail = nil
        let data = (try? JSONCoding.encoder.encode(ErrorEnvelope(error: error))) ?? Data(#"{"error":{"code":"internal","message":"error"}}"#.utf8)
        return ByteBuffer(bytes: data)
    }

    /// A complete HTTP/1.1 response with `Connection: close`, as raw bytes (for answers
    /// written below the HTTP codec, such as the connection cap's 503).
    static func rawResponse(_ failure: GatewayError) -> ByteBuffer {
        let body = body(failure)
        var head = "HTTP/1.1 \(failure.status.code) \(failure.status.reasonPhrase)\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.readableBytes)\r\nConnection: close\r\n"
        if let retry = failure.error.retryAfter { head += "Retry-After: \(retry)\r\n" }
        head += "\r\n"
        var out = ByteBuffer(string: head)
        out.writeImmutableBuffer(body)
        return out
    }
}
