import Foundation

/// One line of the history list.
public struct HistoryEntry: Codable, Sendable, Hashable {
    public var answerID: String
    public var question: String
    public var refused: Bool
    public var model: String
    public var indexVersion: Int
    public var createdAt: Date

    public init(answerID: String, question: String, refused: Bool, model: String, indexVersion: Int, createdAt: Date) {
        self.answerID = answerID
        self.question = question
        self.refused = refused
        self.model = model
        self.indexVersion = indexVersion
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case question, refused, model
        case answerID = "answer_id"
        case indexVersion = "index_version"
        case createdAt = "created_at"
    }
}
