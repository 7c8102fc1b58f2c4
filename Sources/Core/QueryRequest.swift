import Foundation

/// A question for the pipeline: the body of `POST /v1/query`.
public struct QueryRequest: Codable, Sendable, Hashable {
    public static let defaultTopK = 5
    public static let maxTopK = 50
    /// Longest accepted question, in characters.
    public static let maxQuestionLength = 2_000

    public var question: String { didSet { checked = false } }
    /// Metadata equality filters (`{"year":"2019","source_id":"sepsis"}`); `source_id` matches the document id.
    public var filters: [String: String] { didSet { checked = false } }
    public var topK: Int { didSet { checked = false } }
    /// Set by `validated()` and cleared by any change, so that a request checked once (by the
    /// gateway's body decoder, say) is not checked again on its way (by the pipeline).
    private var checked = false

    public init(question: String, filters: [String: String] = [:], topK: Int = QueryRequest.defaultTopK) {
        self.question = question
        self.filters = filters
        self.topK = topK
    }

    enum CodingKeys: String, CodingKey {
        case question, filters
        case topK = "top_k"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        question = try c.decode(String.self, forKey: .question)
        filters = try c.decodeIfPresent([String: String].self, forKey: .filters) ?? [:]
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? QueryRequest.defaultTopK
    }

    /// Checks limits; throws a `BedsideError` with code `bad_request` naming the problem.
    public func validated() throws -> QueryRequest {
        if checked { return self }
        let trimmed = Self.trimmed(question)
        guard !trimmed.isEmpty else { throw BedsideError(.badRequest, "The question is empty.") }
        guard trimmed.count <= Self.maxQuestionLength else {
            throw BedsideError(.badRequest, "The question is too long (\(trimmed.count) characters; the limit is \(Self.maxQuestionLength)).")
        }
        guard (1...Self.maxTopK).contains(topK) else {
            throw BedsideError(.badRequest, "top_k must be between 1 and \(Self.maxTopK) (got \(topK)).")
        }
        if let bad = Self.forbiddenScalar(in: question) {
            throw BedsideError(
                .invalidQuestion,
                "The question contains a character that cannot be part of a question (\(bad)); remove control and text-direction characters.")
        }
        for key in filters.keys.sorted() where !Self.isValidFilterKey(key) {
            throw BedsideError(
                .badRequest, "Filter names must be 1 to 64 characters from A-Z, a-z, 0-9, '_', '.' and '-' (got \(Self.describe(key))).")
        }
        var copy = self
        copy.question = trimmed
        copy.checked = true
        return copy
    }

    /// Requests are equal when they ask the same, checked or not.
    public static func == (a: QueryRequest, b: QueryRequest) -> Bool {
        a.question == b.question && a.filters == b.filters && a.topK == b.topK
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(question)
        hasher.combine(filters)
        hasher.combine(topK)
    }

    /// `text` without leading and trailing whitespace and newlines: byte by byte when
    /// `text` is ASCII (Foundation's trim was 5% of a cache hit), else Foundation's.
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
        func space(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }
        guard let first = utf8.firstIndex(where: { !space($0) }), let last = utf8.lastIndex(where: { !space($0) }) else { return "" }
        if first == utf8.startIndex, last == utf8.index(before: utf8.endIndex) { return text }
        return String(Substring(utf8[first...last]))
    }

    /// The first scalar a question must not contain, spelled `U+XXXX`: C0 controls other
    /// than tab and newline (NUL would also cut the question short wherever it is bound as a
    /// C string), DEL and C1 controls, and the bidi overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069) that make text display in another order than it is stored.
    public static func forbiddenScalar(in text: String) -> String? {
        for s in text.unicodeScalars {
            let v = s.value
            let control = (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || (0x7F...0x9F).contains(v)
            let bidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if control || bidi { return String(format: "U+%04X", v) }
        }
        return nil
    }

    /// Filter names: `[A-Za-z0-9_.-]{1,64}`.
    public static func isValidFilterKey(_ key: String) -> Bool {
        let bytes = key.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2E || b == 0x2D
        }
    }

    /// A name shown back in an error: printable ASCII only, at most 40 characters.
    static func describe(_ key: String) -> String {
        let shown = String(key.unicodeScalars.prefix(40).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
        return "\"\(shown)\""
    }
}
