import Core
import Foundation
import Hummingbird
import NIOCore

/// Reads the body of `POST /v1/query` within the size limit (413); Core's
/// `QueryRequest.decode(body:)` checks the rest (UTF-8, JSON shape and types, limits).
enum QueryBody {
    /// The raw body, within the size limit.
    static func readBytes(_ request: inout Request, limit: Int) async throws -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch let e as HTTPError where e.status == .contentTooLarge {
            throw tooLarge(limit)
        } catch is NIOTooManyBytesError {
            // A chunked (or understated) body that grew past the limit while streaming.
            throw tooLarge(limit)
        }
        return Array(buffer.readableBytesView)
    }

    static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(BedsideError(.payloadTooLarge, "The request body is larger than \(limit / 1024) KiB."))
    }
}
