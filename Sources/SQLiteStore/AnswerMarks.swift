import Core
import Foundation
import GRDB
import SharedState

/// How a stored answer was first shown, for `bedside history`: the history list keeps only
/// the columns the console filters on, but a clinician reading their history wants to know
/// which answers came from the response cache and which were stale.
public struct AnswerMarks: Sendable, Hashable {
    /// Served from the response cache (the gateway keeps a copy for its asker, naming the origin).
    public var cached: Bool
    /// Shown while inference was unavailable.
    public var stale: Bool

    public init(cached: Bool, stale: Bool) {
        self.cached = cached
        self.stale = stale
    }
}

extension BedsideDatabase {
    /// The marks of the answers with these ids that belong to `subject`, by id.
    public func answerMarks(ids: [String], subject: String?) async throws -> [String: AnswerMarks] {
        guard !ids.isEmpty else { return [:] }
        return try await read { db in
            var out: [String: AnswerMarks] = [:]
            let marks = try db.cachedStatement(sql: "SELECT origin_id, body FROM answer WHERE id = ?1 AND (?2 IS NULL OR subject = ?2)")
            for id in ids {
                guard let row = try Row.fetchOne(marks, arguments: [id, subject]) else { continue }
                let origin: String? = row["origin_id"]
                let body: String = row["body"]
                let answer = try? StoredJSON.decode(Answer.self, body)
                out[id] = AnswerMarks(cached: origin != nil || answer?.cached == true, stale: answer?.stale == true)
            }
            return out
        }
    }
}
