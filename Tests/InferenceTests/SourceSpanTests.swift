import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// Sentence-level citations: each supported sentence of an answer carries the document
/// byte offsets of the source sentence(s) that back it.
@Suite("Source spans: the sentences that back each citation")
struct SourceSpanTests {
    /// A document whose second paragraph is the cited passage (it starts well after byte 0,
    /// so passage offsets and document offsets differ).
    static let document = """
        # Anaphylaxis

        Anaphylaxis is a severe, life-threatening hypersensitivity reaction.

        Call for help and lie the patient flat. Give intramuscular adrenaline 500 micrograms (0.5 mL of 1 mg/mL) into the anterolateral thigh for adults. Repeat the dose after 5 minutes if there is no improvement. Antihistamines are not first-line treatment.
        """

    static var passage: (text: String, start: Int, end: Int) {
        let start = document.utf8.count - Array(document.components(separatedBy: "\n\n").last!.utf8).count
        return (document.components(separatedBy: "\n\n").last!, start, document.utf8.count)
    }

    static func source(_ n: Int = 1) -> CitationVerifier.Source {
        CitationVerifier.Source(
            n: n, text: passage.text, header: "Anaphylaxis\nAdrenaline", documentID: "anaphylaxis",
            documentStart: passage.start, documentEnd: passage.end)
    }

    static func quoted(_ span: SourceSpan) -> String? { document.utf8Slice(span.start, span.end) }

    @Test func aParaphraseIsBackedByTheDoseSentence() throws {
        let result = CitationVerifier().verify("Adults get 500 micrograms of IM adrenaline in the thigh [1].", sources: [Self.source()])
        let sentence = try #require(result.sentences.first)
        #expect(!sentence.unsupported)
        #expect(sentence.spans.count == 1)
        let span = try #require(sentence.spans.first)
        #expect(span.citation == 1 && span.documentID == "anaphylaxis")
        #expect(Self.quoted(span) == "Give intramuscular adrenaline 500 micrograms (0.5 mL of 1 mg/mL) into the anterolateral thigh for adults.")
    }

    @Test func eachSentencePointsAtItsOwnSourceSentence() throws {
        let text = "Give 500 micrograms of adrenaline IM for adults [1]. If there is no improvement, repeat the dose after 5 minutes [1]."
        let result = CitationVerifier().verify(text, sources: [Self.source()])
        #expect(result.sentences.count == 2)
        let quotes = result.sentences.map { $0.spans.compactMap(Self.quoted) }
        #expect(quotes[0] == ["Give intramuscular adrenaline 500 micrograms (0.5 mL of 1 mg/mL) into the anterolateral thigh for adults."])
        #expect(quotes[1] == ["Repeat the dose after 5 minutes if there is no improvement."])
    }

    @Test func aReattributedSentenceGetsTheSpanOfItsNewSource() throws {
        let other = CitationVerifier.Source(
            n: 2, text: "Sepsis needs 30 mL/kg of crystalloid within 3 hours.", header: "Sepsis", documentID: "sepsis",
            documentStart: 10, documentEnd: 62)
        let result = CitationVerifier().verify(
            "Repeat the adrenaline dose after 5 minutes if there is no improvement [2].", sources: [Self.source(), other])
        let sentence = try #require(result.sentences.first)
        #expect(sentence.citations == [1])
        #expect(sentence.spans.map(\.citation) == [1])
        #expect(sentence.spans.compactMap(Self.quoted) == ["Repeat the dose after 5 minutes if there is no improvement."])
        // `bedside check` reports the same spans with the verdict.
        #expect(result.verdicts.first?.kind == .reattributed)
        #expect(result.verdicts.first?.spans == sentence.spans)
    }

    @Test func unsupportedSentencesAndSourcesWithoutALocationCarryNoSpans() {
        let unsupported = CitationVerifier().verify("Vasopressin stabilises the airway of most patients [1].", sources: [Self.source()])
        #expect(unsupported.sentences.allSatisfy { $0.spans.isEmpty })
        let bare = CitationVerifier.Source(n: 1, text: Self.passage.text, header: "Anaphylaxis")
        let unlocated = CitationVerifier().verify("Repeat the dose after 5 minutes if there is no improvement [1].", sources: [bare])
        #expect(unlocated.sentences.first?.unsupported == false)
        #expect(unlocated.sentences.first?.spans == [])
    }

    @Test func spansStayInsideATruncatedPassage() throws {
        // The model saw only a prefix of the passage; its document end bounds the spans.
        let cut = CitationVerifier.Source(
            n: 1, text: Self.passage.text, header: "Anaphylaxis", documentID: "anaphylaxis",
            documentStart: Self.passage.start, documentEnd: Self.passage.start + 60)
        let result = CitationVerifier().verify("Call for help and lie the patient flat [1].", sources: [cut])
        for span in result.sentences.flatMap(\.spans) {
            #expect(span.start >= Self.passage.start && span.end <= Self.passage.start + 60 && span.start < span.end)
        }
    }

    @Test func extractiveAnswersCarryTheQuotedSentencesOwnSpan() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try bed.write("notes/asthma.md", TestBed.asthmaNote)
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "What is the first-line fluid bolus in septic shock?"))
        #expect(!answer.refused)
        #expect(!answer.sentences.isEmpty)
        for sentence in answer.sentences {
            #expect(sentence.spans.count == 1)
            let span = try #require(sentence.spans.first)
            let citation = try #require(answer.citations.first { $0.n == span.citation })
            #expect(span.lies(in: citation))
            let doc = try #require(try await bed.db.document(id: span.documentID))
            let quote = try #require(doc.text.utf8Slice(span.start, span.end))
            // The sentence is the quote plus its citation marker.
            #expect(sentence.text.hasPrefix(String(quote.dropLast())))
        }
    }

    @Test func refusalsCarryNoSpans() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "Which planet has the longest day?"))
        #expect(answer.refused)
        #expect(answer.sentences.flatMap(\.spans).isEmpty)
    }

    static let demoCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("corpus/demo").path
    static var hasDemo: Bool { FileManager.default.fileExists(atPath: demoCorpus) }

    /// The invariant over every hand-written model output of the verifier corpus: a
    /// supported sentence has a span for each citation, and each span is a sentence of the
    /// cited passage, inside the passage and the document.
    @Test(.enabled(if: hasDemo)) func everySpanLiesInsideItsPassageOverTheVerifierCorpus() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try await Ingestor(database: bed.db).ingest(paths: [Self.demoCorpus])
        let retriever = BM25Retriever(database: bed.db)
        var documents: [String: String] = [:]
        var supported = 0
        var spans = 0
        for c in VerifierCorpus.cases {
            let passages = try await retriever.retrieve(c.question, topK: QueryRequest.defaultTopK, filters: [:])
            let prompt = PromptBuilder().build(question: c.question, passages: passages)
            let result = CitationVerifier().verify(VerifierCorpusTests.resolve(c.output, prompt), sources: LLMGenerator.verifierSources(prompt))
            for sentence in result.sentences {
                if sentence.unsupported {
                    #expect(sentence.spans.isEmpty, "\(c.id): an unsupported sentence has spans")
                    continue
                }
                supported += 1
                #expect(Set(sentence.spans.map(\.citation)) == Set(sentence.citations), "\(c.id): \(sentence.text)")
                for span in sentence.spans {
                    spans += 1
                    let passage = try #require(prompt.sources.first { $0.n == span.citation }?.passage)
                    #expect(span.documentID == passage.chunk.documentID)
                    #expect(span.start >= passage.chunk.start && span.end <= passage.chunk.end && span.start < span.end, "\(c.id): \(span)")
                    #expect(span.lies(in: passage.citation(span.citation)))
                    if documents[span.documentID] == nil { documents[span.documentID] = try await bed.db.document(id: span.documentID)?.text }
                    let text = try #require(documents[span.documentID])
                    #expect(span.end <= text.utf8.count)
                    let quote = try #require(text.utf8Slice(span.start, span.end))
                    #expect(SentenceSplitter.sentences(passage.chunk.text).contains { $0.text == quote }, "\(c.id): \(quote)")
                }
            }
        }
        print("verifier corpus spans: \(supported) supported sentences, \(spans) spans")
        #expect(supported >= 40)
    }

    /// The same invariant for the demo questions answered end to end (extractive).
    @Test(.enabled(if: hasDemo)) func demoAnswersCarrySpansInsideTheirCitations() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try await Ingestor(database: bed.db).ingest(paths: [Self.demoCorpus])
        let pipeline = Pipeline(database: bed.db)
        let questions = Set(VerifierCorpus.cases.map(\.question)).sorted()
        var answered = 0
        for q in questions {
            let answer = try await pipeline.complete(QueryRequest(question: q))
            guard !answer.refused else { continue }
            answered += 1
            for sentence in answer.sentences {
                #expect(!sentence.spans.isEmpty, "\(q): \(sentence.text)")
                for span in sentence.spans {
                    let citation = try #require(answer.citations.first { $0.n == span.citation })
                    #expect(span.lies(in: citation), "\(q): \(span)")
                    let quote = try #require(citation.quote(span))
                    #expect(sentence.text.hasPrefix(String(quote.dropLast())), "\(q): \(quote)")
                }
            }
        }
        #expect(answered >= questions.count - 2)
    }
}
