import Core
import Inference

/// A RAG service's reply in Bedside's terms, checked sentence by sentence exactly as Bedside
/// checks its own model's answers (`CitationVerifier`, as in `LLMGenerator`): the service's
/// `[n]` markers are only claims. Each sentence is compared with the text of the citations it
/// names (and, for a citation linked to the local index, with that local passage); a sentence
/// its citation does not back is re-attributed to a citation that does, or marked unsupported,
/// or, when it states a quantity, removed and listed in `removedSentences` with the reason.
/// Markers that point at no citation are taken out (`removedCitations`). Citation numbers are
/// the service's order (1, 2, …) and stay as they are; the answer lists only the citations its
/// checked text still cites. Nothing supported left, or the service declining: the same
/// refusal as the in-process pipeline, with the service's first citations as nearest sources.
///
/// A citation linked to the local index (`LinkedPassage`) is that passage: its text, its
/// document's id and its byte offsets, so spans are document offsets the source viewer and
/// `GET /v1/sources/{chunk_id}` agree with. Any other citation is its own document: chunk id 0,
/// a source id of its own (`unlinkedSourceID`), offsets `0..<text.utf8.count` into its text,
/// and spans into that text (the console opens it without asking the gateway).
enum ServiceAnswer {
    /// The checked answer for one reply; `linked[i]` is the local passage of citation `i + 1`.
    static func answer(
        question: String, response: Rag_QueryResponse, linked: [GRPCInferenceService.LinkedPassage?], target: GRPCTarget,
        latencyMS: Double, verifier: CitationVerifier = CitationVerifier()
    ) -> Answer {
        let links = response.citations.indices.map { i in i < linked.count ? linked[i] : nil }
        let citations = zip(response.citations, links).enumerated().map { i, pair in citation(n: i + 1, pair.0, linked: pair.1) }
        let sources = verifierSources(citations: citations, serviceTexts: response.citations.map(\.text), linked: links)
        let verified = verifier.verify(response.answer, sources: sources)
        let declined = CitationVerifier.isRefusal(response.answer)
        let used = declined ? [] : citations.filter { verified.citedNumbers.contains($0.n) }
        guard !used.isEmpty else {
            let nearest = Array(citations.prefix(3))
            return Answer(
                question: question, answer: nearest.isEmpty ? Pipeline.noNearSourceRefusalText : Pipeline.refusalText, refused: true,
                nearestSources: nearest, indexVersion: 0, model: GRPCInferenceService.model, retriever: target.description,
                latencyMS: latencyMS)
        }
        return Answer(
            question: question, answer: verified.text, sentences: localSpans(verified.sentences, sources: sources, verifier: verifier),
            refused: false, citations: used,
            removedCitations: verified.removedCitations, removedSentences: verified.removedSentences, indexVersion: 0,
            model: GRPCInferenceService.model, retriever: target.description, latencyMS: latencyMS)
    }

    /// Citation `n` of the reply: the local passage it links to, else its own text as its document.
    static func citation(n: Int, _ c: Rag_Citation, linked: GRPCInferenceService.LinkedPassage?) -> Citation {
        let serviceID = c.hasSourceID ? c.sourceID : ""
        let serviceTitle = c.hasTitle ? c.title : ""
        let score = c.hasScore ? c.score : 0
        if let linked {
            return Citation(
                n: n, sourceID: serviceID, chunkID: linked.chunkID, title: serviceTitle.isEmpty ? linked.title : serviceTitle,
                section: linked.section, score: score, text: linked.text, start: linked.start, end: linked.end)
        }
        let title = !serviceTitle.isEmpty ? serviceTitle : (serviceID.isEmpty ? "Source \(n)" : serviceID)
        return Citation(
            n: n, sourceID: unlinkedSourceID(serviceID: serviceID, title: serviceTitle, text: c.text), chunkID: 0, title: title,
            section: "", score: score, text: c.text, start: 0, end: c.text.utf8.count)
    }

    /// The source id of a citation that is not in the local index: the service's source id (else
    /// its title, else `rag`), `#`, and a hash of the cited text. Distinct for distinct passages
    /// of one service document (the console steps between them as separate documents) and the
    /// same for the same passage in every answer and on every gateway.
    static func unlinkedSourceID(serviceID: String, title: String, text: String) -> String {
        let base = !serviceID.isEmpty ? serviceID : (!title.isEmpty ? title : "rag")
        return base + "#" + hex(fnv1a(text), digits: 12)
    }

    /// The texts each citation is checked against. The first source of each number is the
    /// citation as shown (its spans come from it); a linked citation whose local passage does
    /// not hold the service's text word for word is also checked against the service's text,
    /// which backs a sentence but gives no spans (it has no place in the local document).
    static func verifierSources(
        citations: [Citation], serviceTexts: [String], linked: [GRPCInferenceService.LinkedPassage?]
    ) -> [CitationVerifier.Source] {
        var sources: [CitationVerifier.Source] = []
        for (i, c) in citations.enumerated() {
            let header = c.title + "\n" + c.section
            sources.append(
                CitationVerifier.Source(
                    n: c.n, text: c.text, header: header, documentID: c.sourceID, documentStart: c.start, documentEnd: max(c.start, c.end)))
            let serviceText = i < serviceTexts.count ? serviceTexts[i] : ""
            if i < linked.count, linked[i] != nil, !PassageMatch.holds(c.text, serviceText) {
                sources.append(CitationVerifier.Source(n: c.n, text: serviceText, header: header))
            }
        }
        return sources
    }

    /// The sentences with only the spans their local passage backs: a sentence backed by the
    /// service's text of a linked citation (checked as well when the local passage does not hold
    /// it word for word) keeps that citation, but the local sentences the checker compared it with
    /// are not marked as support unless the local passage alone backs it.
    static func localSpans(_ sentences: [AnswerSentence], sources: [CitationVerifier.Source], verifier: CitationVerifier) -> [AnswerSentence] {
        let alsoService = Set(sources.filter { $0.documentID == nil }.map(\.n))
        guard !alsoService.isEmpty else { return sentences }
        return sentences.map { sentence in
            var s = sentence
            s.spans = sentence.spans.filter { span in
                guard alsoService.contains(span.citation), let local = sources.first(where: { $0.n == span.citation }) else { return true }
                let alone = verifier.verify(sentence.text, sources: [local]).sentences
                return alone.count == 1 && !alone[0].unsupported && alone[0].citations == [span.citation]
            }
            return s
        }
    }

    /// 64-bit FNV-1a of the UTF-8 bytes: stable across processes (Swift's `Hasher` is seeded per run).
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        String((String(repeating: "0", count: 16) + String(value, radix: 16)).suffix(16).prefix(digits))
    }
}
