import Core
import Foundation
import Hummingbird
import NIOCore

/// Reads and checks the body of `POST /v1/query`: size limit (413), UTF-8, JSON shape and
/// types, then Core's limits (`QueryRequest.validated()`), each with a message that says
/// what to change.
enum QueryBody {
    static let maxFilters = 32
    static let maxFilterLength = 256

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

    static func decode(_ bytes: [UInt8]) throws -> QueryRequest {
        func bad(_ message: String) -> GatewayError { GatewayError(BedsideError(.badRequest, message)) }
        guard !bytes.isEmpty else { throw bad(#"The request body is empty; send JSON such as {"question": "…"}."#) }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw bad("The request body is not valid UTF-8.") }
        let query: QueryRequest
        do {
            query = try JSONCoding.decoder.decode(QueryRequest.self, from: Data(bytes))
        } catch {
            // Slow path, only for bodies that failed: find the field at fault.
            throw bad(explain(bytes))
        }
        guard query.filters.count <= maxFilters else { throw bad("filters may have at most \(maxFilters) entries.") }
        guard query.filters.allSatisfy({ $0.key.count <= maxFilterLength && $0.value.count <= maxFilterLength }) else {
            throw bad("Filter names and values may be at most \(maxFilterLength) characters.")
        }
        do { return try query.validated() } catch let e as BedsideError { throw GatewayError(e) }
    }

    /// What is wrong with a body that did not decode as a `QueryRequest`.
    static func explain(_ bytes: [UInt8]) -> String {
        guard let value = try? JSONCoding.decoder.decode(JSONValue.self, from: Data(bytes)) else {
            return "The request body is not valid JSON."
        }
        guard case .object(let fields) = value else { return "The request body must be a JSON object." }
        switch fields["question"] {
        case nil: return #"The request body needs a "question" field."#
        case .string?: break
        case .null?: return #""question" must not be null."#
        default: return #""question" must be a string."#
        }
        switch fields["top_k"] {
        case nil, .null?: break
        case .number(let n)? where n.rounded() == n && abs(n) < 1e9: break
        default: return #""top_k" must be a whole number between 1 and \#(QueryRequest.maxTopK)."#
        }
        switch fields["filters"] {
        case nil, .null?: break
        case .object(let filters)? where filters.values.allSatisfy({ if case .string = $0 { true } else { false } }): break
        default: return #""filters" must be an object whose values are strings, such as {"year": "2019"}."#
        }
        return "The request body is not valid."
    }
}
