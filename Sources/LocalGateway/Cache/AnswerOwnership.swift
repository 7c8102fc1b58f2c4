import Core
import Foundation
import SQLiteStore
import SharedState

/// Cached answers are built from the shared corpus and may serve any subject, but every
/// subject's history holds only what they asked, in their own words. The first time a
/// cached answer is served to a subject in words that are not those of a record of theirs,
/// a copy is saved for them (its `origin_id` names the cached answer) with the question as
/// they sent it and the time it was made for them, and that copy is what they are shown:
/// its id, its question and its `created_at`. So `GET /v1/answers/{id}`, history, replay,
/// the audit row and a synced replica work for them and never reveal the owner's record,
/// nor how another clinician spelled a question that named a patient.
///
/// Which record each (subject, cached answer, wording) maps to is remembered here (a
/// `BoundedCache`), so a repeated cache hit costs a lookup, not a database read.
final class AnswerOwnership: Sendable {
    private struct Key: Hashable, Sendable {
        var subject: String
        var origin: String
        var question: String
    }

    /// A subject's own record of a cached answer: what a hit served to them shows in place
    /// of the cached answer's id, question and time.
    struct Record: Sendable {
        /// nil only for a cached answer without an id (none is stored so): it keeps none.
        var id: String?
        var question: String
        var createdAt: Date
        /// The question and time spelled as JSON (nil if they cannot be: the hit is encoded whole).
        var asker: EncodedAnswer.Asker?

        init(_ own: Answer) {
            id = own.answerID
            question = own.question
            createdAt = own.createdAt
            asker = try? EncodedAnswer.Asker(question: own.question, createdAt: own.createdAt)
        }

        /// `cached` as this record shows it.
        func shown(_ cached: Answer) -> Answer {
            var answer = cached
            answer.answerID = id
            answer.question = question
            answer.createdAt = createdAt
            return answer
        }
    }

    private let database: any GatewayStateStore
    private let known: BoundedCache<Key, Record>
    private let now: @Sendable () -> Date

    init(database: any GatewayStateStore, capacity: Int, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.known = BoundedCache(capacity: capacity)
        self.now = now
    }

    /// `subject`'s own record of the answer `origin` asked as `question`, when it is remembered.
    func known(subject: String, origin: String, question: String) -> Record? {
        known.get(Key(subject: subject, origin: origin, question: question))
    }

    /// Records that `answer`, just saved for `subject` who asked it, is their own record of
    /// itself in its own words.
    func remember(_ answer: Answer, subject: String) {
        guard let id = answer.answerID else { return }
        known.set(Key(subject: subject, origin: id, question: answer.question), Record(answer))
    }

    /// `subject`'s own record of `answer` (a cached one) asked as `question` (the words of
    /// this request), saved when it is new: what they are shown of it.
    func own(_ answer: Answer, subject: String, question: String) async throws -> Record {
        guard let origin = answer.answerID else {
            var shown = answer
            shown.question = question
            return Record(shown)
        }
        let key = Key(subject: subject, origin: origin, question: question)
        if let record = known.get(key) { return record }
        if let own = try await database.ownAnswer(originID: origin, subject: subject, question: question) {
            let record = Record(own)
            known.set(key, record)
            return record
        }
        var copy = answer
        copy.answerID = nil
        copy.question = question
        copy.cached = false
        copy.stale = false
        copy.createdAt = now()
        let record = Record(try await database.saveAnswer(copy, subject: subject, originID: origin))
        known.set(key, record)
        return record
    }
}
