import Core
import Foundation

/// A cached answer with its bookkeeping.
public struct CacheEntry: Sendable, Hashable {
    public var key: String
    public var lineage: String
    public var answer: Answer
    public var indexVersion: Int
    public var model: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(key: String, lineage: String, answer: Answer, indexVersion: Int, model: String, createdAt: Date, expiresAt: Date) {
        self.key = key
        self.lineage = lineage
        self.answer = answer
        self.indexVersion = indexVersion
        self.model = model
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
