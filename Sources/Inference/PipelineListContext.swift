import Core
import Foundation

extension Pipeline {
    /// The passages offered to the extractive generator for a question that asks for a list
    /// (criteria, components, score items): the quotable ones, plus the passage of the best
    /// answering document that holds a list about the question, when retrieval did not bring
    /// it. The list often sits in a section of its own ("## Score components") whose text
    /// never repeats the question's words, so the top passages of "CURB-65 criteria" are the
    /// ones that say "CURB-65" most, not the five items; the document itself was judged to
    /// answer, so its list may be quoted, whole. Nothing changes for other questions, for an
    /// LLM generator, or when no passage of that document holds such a list.
    func listContext(_ quotable: [RetrievedPassage], question: String, evidence: EvidenceScorer.Weighted) async throws -> [RetrievedPassage] {
        guard let extractive = generator as? ExtractiveGenerator, AnswerKind(question) == .list, let top = quotable.first else {
            return quotable
        }
        let subject = ExtractiveGenerator.subject(evidence, question: question)
        let focus = ExtractiveGenerator.focusTerms(subject)
        if extractive.listAnswer(passages: quotable, subject: subject, focus: focus) != nil { return quotable }
        let have = Set(quotable.map(\.chunk.id))
        let others = try await corpus.chunks(documentID: top.chunk.documentID).filter { !have.contains($0.id) }
        let offered = others.map { RetrievedPassage(chunk: $0, title: top.title, score: 0) }
        guard let list = extractive.listAnswer(passages: offered, subject: subject, focus: focus), let first = list.first else {
            return quotable
        }
        return quotable + [offered[first.passage]]
    }
}
