import Core
import Foundation
import HTTPTypes
import Hummingbird

/// The shared encoder (Core's wire settings) and JSON responses.
enum JSONCoding {
    /// Thread-safe once configured; sharing avoids building a coder per request.
    static let encoder = WireCoding.encoder()

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try encoder.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let bedsideCache = Self("X-Bedside-Cache")!
    static let bedsideStale = Self("X-Bedside-Stale")!
    static let warning = Self("Warning")!
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let rateLimit = Self("RateLimit")!
}
