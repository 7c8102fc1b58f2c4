import Foundation

/// Decoding the body of `POST /v1/query` (the pure part, no HTTP): UTF-8, JSON shape and
/// types, filter limits, then `validated()`, each failure a `BedsideError` (`bad_request`
/// or `invalid_question`) with a message that says what to change. The gateway wraps it;
/// the `FuzzQueryBody` target fuzzes it.
extension QueryRequest {
    public static let maxFilters = 32
    public static let maxFilterLength = 256

    private static let bodyDecoder = WireCoding.decoder()

    /// A checked request from a raw body, or a 400-class `BedsideError`.
    public static func decode(body bytes: [UInt8]) throws(BedsideError) -> QueryRequest {
        func bad(_ message: String) -> BedsideError { BedsideError(.badRequest, message) }
        guard !bytes.isEmpty else { throw bad(#"The request body is empty; send JSON such as {"question": "…"}."#) }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw bad("The request body is not valid UTF-8.") }
        let query: QueryRequest
        do {
            query = try bodyDecoder.decode(QueryRequest.self, from: Data(bytes))
        } catch {
            // Slow path, only for bodies that failed: find the field at fault.
            throw bad(explain(body: bytes))
        }
        guard query.filters.count <= maxFilters else { throw bad("filters may have at most \(maxFilters) entries.") }
        guard query.filters.allSatisfy({ $0.key.count <= maxFilterLength && $0.value.count <= maxFilterLength }) else {
            throw bad("Filter names and values may be at most \(maxFilterLength) characters.")
        }
        do { return try query.validated() } catch let e as BedsideError { throw e } catch {
            throw bad("The request body is not valid.")
        }
    }

    /// What is wrong with a body that did not decode as a `QueryRequest`.
    public static func explain(body bytes: [UInt8]) -> String {
        guard let value = try? bodyDecoder.decode(JSONValue.self, from: Data(bytes)) else {
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
        default: return #""top_k" must be a whole number between 1 and \#(maxTopK)."#
        }
        switch fields["filters"] {
        case nil, .null?: break
        case .object(let filters)? where filters.values.allSatisfy({ if case .string = $0 { true } else { false } }): break
        default: return #""filters" must be an object whose values are strings, such as {"year": "2019"}."#
        }
        return "The request body is not valid."
    }
}
