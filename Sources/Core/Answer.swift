import Foundation

/// One sentence of an answer with the sources that support it.
public struct AnswerSentence: Codable, Sendable, Hashable {
    public var text: String
    /// Citation numbers (`Citation.n`) that support this sentence.
    public var citations: [Int]
    /// True when no retrieved source supports the sentence well enough (shown with a mark).
    public var unsupported: Bool
    /// The sentence(s) of each cited passage that back this sentence, as document byte
    /// offsets (see `SourceSpan`). Empty for unsupported sentences, refusals, and answers
    /// stored before spans existed.
    public var spans: [SourceSpan]

    public init(text: String, citations: [Int], unsupported: Bool = false, spans: [SourceSpan] = []) {
        self.text = text
        self.citations = citations
        self.unsupported = unsupported
        self.spans = spans
    }

    /// Old answers (the cache, replicas, remote gateways) carry no `spans`: they decode to none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        citations = try c.decodeIfPresent([Int].self, forKey: .citations) ?? []
        unsupported = try c.decodeIfPresent(Bool.self, forKey: .unsupported) ?? false
        spans = try c.decodeIfPresent([SourceSpan].self, forKey: .spans) ?? []
    }
}

/// A sentence the model wrote that was taken out of the answer: it states a quantity (a
/// dose, rate, threshold or duration) that no given source backs. Listed apart, never shown
/// as part of the answer.
public struct RemovedSentence: Codable, Sendable, Hashable {
    public var text: String
    /// Why it was removed, e.g. `no source states 1000 micrograms`.
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }
}

/// The answer wire object: what `bedside ask --json` prints and `POST /v1/query` returns.
public struct Answer: Codable, Sendable, Hashable {
    public var answerID: String?
    public var question: String
    /// The answer text with `[n]` markers, or the refusal message.
    public var answer: String
    public var sentences: [AnswerSentence]
    /// True when the indexed sources do not support an answer.
    public var refused: Bool
    /// True when served from the response cache.
    public var cached: Bool
    /// True when served from cache because inference failed, or built on an older index.
    public var stale: Bool
    /// True when generation stopped early (the stream was cut); the text is partial.
    public var incomplete: Bool
    public var citations: [Citation]
    /// When refused: the nearest passages, offered for reading, not as support.
    public var nearestSources: [Citation]
    /// Citation numbers the model wrote that pointed at no given source, removed from the text.
    public var removedCitations: [Int]
    /// Unsupported sentences that stated a quantity, removed from the text (see `RemovedSentence`).
    public var removedSentences: [RemovedSentence]
    public var indexVersion: Int
    /// The generator: `extractive` or the LLM model id.
    public var model: String
    public var retriever: String
    public var latencyMS: Double
    public var createdAt: Date

    public init(
        answerID: String? = nil, question: String, answer: String, sentences: [AnswerSentence] = [],
        refused: Bool = false, cached: Bool = false, stale: Bool = false, incomplete: Bool = false,
        citations: [Citation] = [], nearestSources: [Citation] = [], removedCitations: [Int] = [],
        removedSentences: [RemovedSentence] = [], indexVersion: Int = 0, model: String = "extractive", retriever: String = "bm25",
        latencyMS: Double = 0, createdAt: Date = Date()
    ) {
        self.answerID = answerID
        self.question = question
        self.answer = answer
        self.sentences = sentences
        self.refused = refused
        self.cached = cached
        self.stale = stale
        self.incomplete = incomplete
        self.citations = citations
        self.nearestSources = nearestSources
        self.removedCitations = removedCitations
        self.removedSentences = removedSentences
        self.indexVersion = indexVersion
        self.model = model
        self.retriever = retriever
        self.latencyMS = latencyMS
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case question, answer, sentences, refused, cached, stale, incomplete, citations, model, retriever
        case answerID = "answer_id"
        case nearestSources = "nearest_sources"
        case removedCitations = "removed_citations"
        case removedSentences = "removed_sentences"
        case indexVersion = "index_version"
        case latencyMS = "latency_ms"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        answerID = try c.decodeIfPresent(String.self, forKey: .answerID)
        question = try c.decodeIfPresent(String.self, forKey: .question) ?? ""
        answer = try c.decode(String.self, forKey: .answer)
        sentences = try c.decodeIfPresent([AnswerSentence].self, forKey: .sentences) ?? []
        refused = try c.decodeIfPresent(Bool.self, forKey: .refused) ?? false
        cached = try c.decodeIfPresent(Bool.self, forKey: .cached) ?? false
        stale = try c.decodeIfPresent(Bool.self, forKey: .stale) ?? false
        incomplete = try c.decodeIfPresent(Bool.self, forKey: .incomplete) ?? false
        citations = try c.decodeIfPresent([Citation].self, forKey: .citations) ?? []
        nearestSources = try c.decodeIfPresent([Citation].self, forKey: .nearestSources) ?? []
        removedCitations = try c.decodeIfPresent([Int].self, forKey: .removedCitations) ?? []
        removedSentences = try c.decodeIfPresent([RemovedSentence].self, forKey: .removedSentences) ?? []
        indexVersion = try c.decodeIfPresent(Int.self, forKey: .indexVersion) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        retriever = try c.decodeIfPresent(String.self, forKey: .retriever) ?? ""
        latencyMS = try c.decodeIfPresent(Double.self, forKey: .latencyMS) ?? 0
        createdAt = try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date(timeIntervalSince1970: 0)
    }
}
