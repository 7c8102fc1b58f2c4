import Core
import Foundation
import Store

/// Cached answers are built from the shared corpus and may serve any subject, but every
/// subject's history holds only what they asked. The first time a cached answer is served
/// to a subject who is not its owner, a copy is saved for them (its `origin_id` names the
/// cached answer) and that copy's id is what they are shown, so `GET /v1/answers/{id}`,
/// history and replay work for them and never reveal the owner's record.
///
/// Which id each (subject, cached answer) pair maps to is remembered here (a `BoundedCache`),
/// so a repeated cache hit costs a lookup, not a database read.
final class AnswerOwnership: Sendable {
    private struct Key: Hashable, Sendable {
        var subject: String
        var origin: String
    }

    private let database: any GatewayStateStore
    private let known: BoundedCache<Key, String>
    private let now: @Sendable () -> Date

    init(database: any GatewayStateStore, capacity: Int, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.known = BoundedCache(capacity: capacity)
        self.now = now
    }

    /// The id of `subject`'s own record of the answer `origin`, when it is remembered.
    func knownID(subject: String, origin: String) -> String? { known.get(Key(subject: subject, origin: origin)) }

    /// Records that `subject`'s own record of `origin` is `id` (an answer saved for its asker is its own record).
    func remember(subject: String, origin: String, id: String) { known.set(Key(subject: subject, origin: origin), id) }

    /// `answer` (a cached one) with the id of `subject`'s own record of it, saving that record when it is new.
    func own(_ answer: Answer, subject: String) async throws -> Answer {
        guard let origin = answer.answerID else { return answer }
        let key = Key(subject: subject, origin: origin)
        var result = answer
        if let id = knownID(subject: subject, origin: origin) {
            result.answerID = id
            return result
        }
        if let id = try await database.ownAnswerID(originID: origin, subject: subject) {
            known.set(key, id)
            result.answerID = id
            return result
        }
        var copy = answer
        copy.answerID = nil
        copy.cached = false
        copy.stale = false
        copy.createdAt = now()
        let saved = try await database.saveAnswer(copy, subject: subject, originID: origin)
        let id = saved.answerID ?? origin
        known.set(key, id)
        result.answerID = id
        return result
    }
}
