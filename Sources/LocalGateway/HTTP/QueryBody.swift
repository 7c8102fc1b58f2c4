import Core
import Foundation
import Hummingbird

/// Reads and checks the body of `POST /v1/query`: size limit (413), UTF-8, JSON shape and
/// types, then Core's limits (`QueryRequest.validated()`), each with a message that says
/// what to change.
enum QueryBody {
    static let maxFilters = 32
    static let maxFilterLength = 256

    static func read(_ request: inout Request, limit: Int) async throws -> QueryRequest {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch let e as HTTPError where e.status == .contentTooLarge {
            throw tooLarge(limit)
        }
        return try decode(Array(buffer.readableBytesView))
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
        } catch let error as DecodingError {
            throw bad(message(for: error))
        }
        guard query.filters.count <= maxFilters else { throw bad("filters may have at most \(maxFilters) entries.") }
        guard query.filters.allSatisfy({ $0.key.count <= maxFilterLength && $0.value.count <= maxFilterLength }) else {
            throw bad("Filter names and values may be at most \(maxFilterLength) characters.")
        }
        do { return try query.validated() } catch let e as BedsideError { throw GatewayError(e) }
    }

    private static func message(for error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            if context.codingPath.isEmpty, key.stringValue == "question" { return #"The request body needs a "question" field."# }
            return "The field \(path(context.codingPath + [key])) is missing."
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) must not be null."
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            guard let field = context.codingPath.first?.stringValue else {
                if case .typeMismatch = error { return "The request body must be a JSON object." }
                return "The request body is not valid JSON."
            }
            switch field {
            case "question": return #""question" must be a string."#
            case "top_k": return #""top_k" must be a whole number between 1 and \#(QueryRequest.maxTopK)."#
            case "filters": return #""filters" must be an object whose values are strings, such as {"year": "2019"}."#
            default: return "\(path(context.codingPath)) has the wrong type."
            }
        @unknown default:
            return "The request body is not valid."
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        "\"" + keys.map(\.stringValue).joined(separator: ".") + "\""
    }
}
