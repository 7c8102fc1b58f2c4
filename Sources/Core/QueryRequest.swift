import Foundation

/// A question for the pipeline: the body of `POST /v1/query`.
public struct QueryRequest: Codable, Sendable, Hashable {
    public static let defaultTopK = 5
    public static let maxTopK = 50
    /// Longest accepted question, in characters.
    public static let maxQuestionLength = 2_000

    public var question: String
    /// Metadata equality filters (`{"year":"2019","source_id":"sepsis"}`); `source_id` matches the document id.
    public var filters: [String: String]
    public var topK: Int

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
        let trimmed = question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw BedsideError(.badRequest, "The question is empty.") }
        guard trimmed.count <= Self.maxQuestionLength else {
            throw BedsideError(.badRequest, "The question is too long (\(trimmed.count) characters; the limit is \(Self.maxQuestionLength)).")
        }
        guard (1...Self.maxTopK).contains(topK) else {
            throw BedsideError(.badRequest, "top_k must be between 1 and \(Self.maxTopK) (got \(topK)).")
        }
        var copy = self
        copy.question = trimmed
        return copy
    }
}
