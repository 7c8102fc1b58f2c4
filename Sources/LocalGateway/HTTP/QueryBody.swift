import Core
import Foundation
import Hummingbird
import NIOCore

/// Reads and checks the body of `POST /v1/query`: size limit (413), UTF-8, JSON shape and
/// types, then Core's limits (`QueryRequest.validated()`), each with a message that says
/// what to change.
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

    /// The checked request (Core's `QueryRequest.decode(body:)`), errors as `GatewayError`.
    static func decode(_ bytes: [UInt8]) throws -> QueryRequest {
        do { return try QueryRequest.decode(body: bytes) } catch { throw GatewayError(error) }
    }
}
