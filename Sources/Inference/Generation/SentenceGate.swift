import Core

/// Lets a model's streamed text out sentence by sentence, each only after the citation
/// verifier has passed it, so that nothing unchecked reaches a client and every `delta` is
/// text the final answer keeps.
///
/// The raw text is buffered. A sentence is settled once the next one has begun (its leading
/// `[n]` markers read, a letter after them): only then can no later token change how it is
/// split or which markers close it. The text up to there is verified exactly as the whole
/// answer will be, and released up to the end of its last shown sentence, provided that:
///
/// - the answering sentence (the first with content) is supported, so the answer will not
///   fall back to quoting the sources; once it is not, nothing more is released;
/// - the text so far cites a source and does not read as the model declining, so the
///   pipeline will not refuse;
/// - the verified text begins with everything released before;
/// - it is released only up to the first sentence the check marks unsupported (that one,
///   and what follows, arrive with the final part, when `done` carries the mark).
///
/// A sentence once released stays: `final(_:)` gives the whole answer when it begins with
/// the released text, else (a later decline, a re-split at the end) the answer verified
/// from the released text alone.
struct SentenceGate {
    let question: String
    let prompt: PromptBuilder.Prompt
    let citations: [Citation]
    let model: String
    let verifier: CitationVerifier

    /// The model's text so far.
    private(set) var raw = ""
    /// The checked text released so far (what the deltas concatenate to).
    private(set) var released = ""
    /// The verified answer whose text is `released`: what the stream ends with when the
    /// whole answer no longer begins with it.
    private(set) var releasedAnswer: Answer?
    /// Bytes of `raw` verified last time; the verifier runs again only on a new settled sentence.
    private var settledEnd = 0
    /// The answering sentence is unsupported: the answer will fall back; nothing is released.
    private(set) var halted = false

    init(question: String, prompt: PromptBuilder.Prompt, citations: [Citation], model: String, verifier: CitationVerifier) {
        self.question = question
        self.prompt = prompt
        self.citations = citations
        self.model = model
        self.verifier = verifier
    }

    /// Adds a piece of the model's text; returns the newly checked text to send, if any.
    mutating func append(_ piece: String) -> String? {
        raw += piece
        guard !halted, let end = Self.settledEnd(Array(raw.utf8)), end > settledEnd else { return nil }
        settledEnd = end
        let prefix = String(decoding: Array(raw.utf8)[..<end], as: UTF8.self)
        let (answer, result) = LLMGenerator.checked(
            question: question, text: prefix, prompt: prompt, citations: citations, incomplete: false, model: model, verifier: verifier)
        if result.leadUnsupported {
            halted = true
            return nil
        }
        guard !answer.citations.isEmpty, let upper = Self.supportedEnd(answer) else { return nil }
        let text = String(answer.answer[..<upper])
        guard text.utf8.count > released.utf8.count, text.utf8.starts(with: released.utf8) else { return nil }
        let delta = String(decoding: text.utf8.dropFirst(released.utf8.count), as: UTF8.self)
        released = text
        var kept = answer
        kept.answer = text
        releasedAnswer = kept
        return delta
    }

    /// The answer the stream ends with: `answer` when it begins with the released text and
    /// cites a source (else the pipeline would refuse), otherwise the answer verified from
    /// the released text (marked with `answer`'s cut state and removals, which still
    /// describe what the model wrote).
    func final(_ answer: Answer) -> Answer {
        guard let releasedAnswer, answer.citations.isEmpty || !answer.answer.utf8.starts(with: released.utf8) else { return answer }
        var kept = releasedAnswer
        kept.incomplete = answer.incomplete
        kept.removedCitations = answer.removedCitations
        kept.removedSentences = answer.removedSentences
        return kept
    }

    /// The end of the last sentence of `answer`'s leading run of supported sentences. A
    /// sentence the check keeps but marks unsupported carries its mark only in `done`, so it
    /// and everything after it wait for the final part (sent just before `done`): a client
    /// never shows it, even for a moment, as if it were backed.
    static func supportedEnd(_ answer: Answer) -> String.Index? {
        var cursor = answer.answer.startIndex
        var end: String.Index?
        for sentence in answer.sentences {
            guard !sentence.unsupported, let range = answer.answer.range(of: sentence.text, range: cursor..<answer.answer.endIndex)
            else { break }
            cursor = range.upperBound
            end = range.upperBound
        }
        return end
    }

    /// The byte offset up to which `bytes` holds only settled sentences: the start of the
    /// last sentence's text, after the `[n]` markers that open it (they close the sentence
    /// before), once a letter follows them; nil while there is no settled sentence.
    static func settledEnd(_ bytes: [UInt8]) -> Int? {
        let segments = CitationVerifier.segments(bytes)
        guard segments.count >= 2, let (start, end) = segments.last else { return nil }
        let last = Array(bytes[start..<end])
        var body = 0
        for m in CitationMarkers.find(last) {
            guard last[body..<m.start].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { break }
            body = m.end
        }
        let rest = last[body...]
        // "[Source 1" is a marker still arriving, not the next sentence's words.
        if rest.first == 0x5B, !rest.contains(0x5D) { return nil }
        let opensWithLetter = rest.contains { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 >= 0x80 }
        return opensWithLetter ? start + body : nil
    }
}
