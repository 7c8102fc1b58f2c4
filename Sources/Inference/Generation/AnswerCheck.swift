import Core
import Foundation

/// Checks a given answer text against retrieved passages exactly as an LLM's answer is
/// checked: the passages are numbered by the prompt builder, the text is verified by the
/// citation verifier, and the report says, sentence by sentence, what was decided and why.
/// Behind `bedside check`.
public enum AnswerCheck {
    public struct SourceRef: Codable, Sendable, Hashable {
        public var n: Int
        public var sourceID: String
        public var chunkID: Int64
        public var title: String
        public var section: String

        enum CodingKeys: String, CodingKey {
            case n, title, section
            case sourceID = "source_id"
            case chunkID = "chunk_id"
        }
    }

    public struct SentenceReport: Codable, Sendable, Hashable {
        public var text: String
        /// `supported`, `reattributed`, `unsupported`, `removed` or `dropped`.
        public var verdict: String
        /// The valid citations the text gave it.
        public var writtenCitations: [Int]
        /// Its citations after checking.
        public var citations: [Int]
        public var reason: String
        /// The passage sentences that back it, as document byte offsets (see `SourceSpan`).
        public var spans: [SourceSpan]

        enum CodingKeys: String, CodingKey {
            case text, verdict, citations, reason, spans
            case writtenCitations = "written_citations"
        }
    }

    public struct Report: Codable, Sendable, Hashable {
        public var question: String
        public var sources: [SourceRef]
        public var sentences: [SentenceReport]
        /// The text as it would be shown: bad markers removed, citations re-attributed,
        /// empty and removed sentences left out.
        public var answer: String
        public var removedCitations: [Int]
        public var removedSentences: [RemovedSentence]
        /// Whether Bedside would quote the sources instead (nothing supported, or the answering
        /// sentence unsupported).
        public var fallsBack: Bool

        enum CodingKeys: String, CodingKey {
            case question, sources, sentences, answer
            case removedCitations = "removed_citations"
            case removedSentences = "removed_sentences"
            case fallsBack = "falls_back"
        }
    }

    public static func run(
        question: String, text: String, passages: [RetrievedPassage], promptBuilder: PromptBuilder = PromptBuilder(),
        verifier: CitationVerifier = CitationVerifier()
    ) -> Report {
        let prompt = promptBuilder.build(question: question, passages: passages)
        let result = verifier.verify(text, sources: LLMGenerator.verifierSources(prompt))
        let declined = CitationVerifier.isRefusal(text)
        return Report(
            question: question,
            sources: prompt.sources.map {
                SourceRef(
                    n: $0.n, sourceID: $0.passage.chunk.documentID, chunkID: $0.passage.chunk.id, title: $0.passage.title,
                    section: $0.passage.chunk.section)
            },
            sentences: result.verdicts.map {
                SentenceReport(
                    text: $0.text, verdict: $0.kind.rawValue, writtenCitations: $0.written, citations: $0.citations, reason: $0.reason,
                    spans: $0.spans)
            },
            answer: result.text, removedCitations: result.removedCitations, removedSentences: result.removedSentences,
            fallsBack: declined || result.citedNumbers.isEmpty || result.leadUnsupported)
    }
}
