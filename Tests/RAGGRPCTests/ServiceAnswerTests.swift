import Core
import GRPCCore
import Inference
import Testing

@testable import RAGGRPC

/// A RAG service's answer is checked sentence by sentence, as Bedside's own model's answers
/// are, before any of it leaves the gateway: through an in-process fake `rag.RAGService`.
@Suite("gRPC answers checked against their citations")
struct ServiceAnswerTests {
    static let target = GRPCTarget(host: "127.0.0.1", port: 50051)

    static let adrenaline =
        "Intramuscular adrenaline is the first-line treatment of anaphylaxis and should be given as soon as anaphylaxis is suspected. "
        + "The IM adrenaline dose is 500 micrograms (0.5 mL of 1 mg/mL, 1:1000) for adults and children over 12 years. "
        + "The IM adrenaline dose should be repeated after 5 minutes if there is no improvement in airway, breathing or circulation problems."
    static let supportive =
        "The patient should lie flat with legs raised, or sit up if breathing is difficult, and should not stand or walk. "
        + "High-flow oxygen and an intravenous crystalloid bolus should be given, with 500 to 1000 mL for adults and 10 mL/kg for children. "
        + "Antihistamines are not part of the initial emergency treatment, and corticosteroids are no longer advised routinely for emergency treatment."
    static let fluids =
        "The first-line fluid bolus in sepsis-induced hypoperfusion or septic shock is 30 mL/kg of intravenous crystalloid given within the first 3 hours of resuscitation. "
        + "Balanced crystalloids such as Hartmann's solution or Plasma-Lyte are preferred over 0.9% sodium chloride for the initial resuscitation."

    static let dose = "The IM adrenaline dose is 500 micrograms for adults and children over 12 years"
    static let wrongFluids = "Give 30 mL/kg of intravenous crystalloid within the first 3 hours"

    static func citation(_ text: String, sourceID: String? = nil, title: String? = nil) -> Rag_Citation {
        var c = Rag_Citation()
        c.text = text
        c.score = 0.5
        if let sourceID { c.sourceID = sourceID }
        if let title { c.title = title }
        return c
    }

    static func reply(_ answer: String, _ citations: [Rag_Citation]) -> Rag_QueryResponse {
        var r = Rag_QueryResponse()
        r.answer = answer
        r.citations = citations
        return r
    }

    /// The events of one question put to a fake service that gives `reply`.
    static func ask(
        _ reply: Rag_QueryResponse, resolve: GRPCInferenceService.Resolver? = nil
    ) async throws -> (events: [AnswerEvent], answer: Answer) {
        let service = GRPCInferenceService(target: target, callTimeout: .seconds(5), resolve: resolve) { _, _ in reply }
        var events: [AnswerEvent] = []
        for try await e in service.answer(QueryRequest(question: "What should be given?")) { events.append(e) }
        guard case .done(let answer)? = events.last else { throw TestFailure("no done event: \(events)") }
        return (events, answer)
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Every span of every sentence lies inside the citation it names and quotes a sentence of it.
    static func expectSpansInside(_ a: Answer, sourceLocation: SourceLocation = #_sourceLocation) {
        for s in a.sentences {
            for span in s.spans {
                let c = a.citations.first { $0.n == span.citation }
                #expect(c != nil && s.citations.contains(span.citation), "span \(span) of \(s.text)", sourceLocation: sourceLocation)
                guard let c else { continue }
                #expect(span.lies(in: c), "span \(span) outside \(c.start)..<\(c.end)", sourceLocation: sourceLocation)
                #expect(c.quote(span).map { c.text.contains($0) && !$0.isEmpty } == true, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func supportedSentenceOfALinkedCitationKeepsASpanInTheLocalDocument() async throws {
        let local = GRPCInferenceService.LinkedPassage(
            chunkID: 7, title: "Anaphylaxis: Emergency Treatment", section: "Adrenaline", text: Self.adrenaline, start: 1200,
            end: 1200 + Self.adrenaline.utf8.count)
        let (_, a) = try await Self.ask(
            Self.reply(Self.dose + " [1].", [Self.citation(Self.adrenaline, sourceID: "anaphylaxis", title: "Anaphylaxis")]),
            resolve: { id, _ in id == "anaphylaxis" ? local : nil })
        #expect(!a.refused)
        #expect(a.answer == Self.dose + " [1].")
        #expect(a.sentences.count == 1 && a.sentences[0].citations == [1] && !a.sentences[0].unsupported)
        let c = try #require(a.citations.first)
        #expect(c.chunkID == 7 && c.sourceID == "anaphylaxis" && c.start == 1200)
        let span = try #require(a.sentences[0].spans.first)
        #expect(span.documentID == "anaphylaxis" && span.start >= 1200)
        #expect(c.quote(span)?.contains("500 micrograms") == true, "\(String(describing: c.quote(span)))")
        Self.expectSpansInside(a)
    }

    @Test func supportedSentenceOfAnUnlinkedCitationHasSpansIntoItsOwnText() async throws {
        let (_, a) = try await Self.ask(Self.reply(Self.dose + " [1].", [Self.citation(Self.adrenaline, sourceID: "anaphylaxis")]))
        let c = try #require(a.citations.first)
        #expect(c.chunkID == 0 && c.start == 0 && c.end == Self.adrenaline.utf8.count)
        #expect(c.sourceID.hasPrefix("anaphylaxis#"))
        let span = try #require(a.sentences.first?.spans.first)
        #expect(span.documentID == c.sourceID)
        #expect(c.quote(span)?.hasPrefix("The IM adrenaline dose is 500 micrograms") == true, "\(String(describing: c.quote(span)))")
        Self.expectSpansInside(a)
    }

    @Test func unsupportedSentencesAreRemovedOrMarkedAndNeverSent() async throws {
        let flipped = "Antihistamines are the first-line treatment of anaphylaxis"
        let text = Self.dose + " [1]. " + Self.wrongFluids + " [2]. " + flipped + " [2]."
        let (events, a) = try await Self.ask(
            Self.reply(text, [Self.citation(Self.adrenaline, sourceID: "anaphylaxis"), Self.citation(Self.supportive, sourceID: "anaphylaxis")]))
        #expect(!a.refused)
        // A quantity its citation does not state: taken out, listed with the reason.
        #expect(!a.answer.contains("30 mL/kg"))
        #expect(!a.sentences.contains { $0.text.contains("30 mL/kg") })
        #expect(a.removedSentences.map(\.text) == [Self.wrongFluids + "."], "\(a.removedSentences)")
        #expect(a.removedSentences.allSatisfy { !$0.reason.isEmpty })
        // No quantity: shown, marked unsupported, no citation, no span.
        let marked = try #require(a.sentences.first { $0.text.hasPrefix("Antihistamines") })
        #expect(marked.unsupported && marked.citations.isEmpty && marked.spans.isEmpty)
        #expect(a.sentences.first?.unsupported == false)
        #expect(a.citations.map(\.n) == [1], "only what the checked text cites")
        for case .delta(let d) in events { #expect(!d.contains("30 mL/kg"), "delta: \(d)") }
        for case .citations(let list) in events { #expect(list == a.citations) }
        Self.expectSpansInside(a)
    }

    @Test func nothingSupportedIsTheSameRefusalAsInProcess() async throws {
        let citations = [Self.citation(Self.adrenaline, sourceID: "anaphylaxis"), Self.citation(Self.supportive, sourceID: "anaphylaxis")]
        let (events, a) = try await Self.ask(Self.reply(Self.wrongFluids + " [1].", citations))
        #expect(a.refused)
        #expect(a.answer == Pipeline.refusalText)
        #expect(a.citations.isEmpty && a.sentences.isEmpty && a.removedSentences.isEmpty)
        #expect(a.nearestSources.map(\.n) == [1, 2] && a.nearestSources.map(\.text) == [Self.adrenaline, Self.supportive])
        #expect(events.count == 3)
        #expect(events.first == .citations([]))
        #expect(events.dropFirst().first == .delta(Pipeline.refusalText))
        // The service declining, with citations, is a refusal too.
        let declined = try await Self.ask(Self.reply("The sources do not answer this question [1].", citations)).answer
        #expect(declined.refused && declined.answer == Pipeline.refusalText && declined.citations.isEmpty)
    }

    @Test func citationNumbersPointAtTheCitationThatBacksTheSentence() async throws {
        // [1] is about sepsis fluids, [2] about adrenaline; the service cites them crossed, and [7] does not exist.
        let text = Self.dose + " [1]. Balanced crystalloids such as Hartmann's solution are preferred over 0.9% sodium chloride [1][7]."
        let (_, a) = try await Self.ask(
            Self.reply(text, [Self.citation(Self.fluids, sourceID: "sepsis"), Self.citation(Self.adrenaline, sourceID: "anaphylaxis")]))
        #expect(a.removedCitations == [7])
        #expect(!a.answer.contains("[7]"))
        #expect(a.sentences.map(\.citations) == [[2], [1]], "\(a.sentences)")
        #expect(a.answer.hasPrefix(Self.dose + " [2]."))
        #expect(a.citations.map(\.n) == [1, 2])
        let byNumber = Dictionary(uniqueKeysWithValues: a.citations.map { ($0.n, $0) })
        #expect(byNumber[2]?.text == Self.adrenaline && byNumber[1]?.text == Self.fluids)
        // Every marker left in the text names a listed citation.
        for s in a.sentences {
            for n in s.citations { #expect(s.text.contains("[\(n)]") && byNumber[n] != nil) }
        }
        #expect(a.sentences.allSatisfy { !$0.spans.isEmpty })
        Self.expectSpansInside(a)
    }

    @Test func aLinkedCitationIsAlsoCheckedAgainstTheServicesOwnText() async throws {
        // The service's passage says more than the local one PassageMatch linked it to.
        let extra = "Glucagon 1 mg intravenously may be given for refractory anaphylaxis in patients taking beta-blockers."
        let local = GRPCInferenceService.LinkedPassage(
            chunkID: 9, title: "Anaphylaxis", section: "Adrenaline", text: Self.adrenaline, start: 0, end: Self.adrenaline.utf8.count)
        let claim = "Glucagon 1 mg intravenously may be given for refractory anaphylaxis in patients taking beta-blockers [1]."
        let (_, a) = try await Self.ask(
            Self.reply(claim, [Self.citation(Self.adrenaline + " " + extra, sourceID: "anaphylaxis")]), resolve: { _, _ in local })
        #expect(!a.refused)
        #expect(a.sentences.map(\.citations) == [[1]] && a.sentences.first?.unsupported == false)
        #expect(a.citations.first?.chunkID == 9)
        // No sentence of the local passage says it, so none is marked as its support.
        #expect(a.sentences.first?.spans == [])
        // A sentence the local passage backs keeps its spans there.
        let both = try await Self.ask(
            Self.reply(Self.dose + " [1]. " + claim, [Self.citation(Self.adrenaline + " " + extra, sourceID: "anaphylaxis")]),
            resolve: { _, _ in local }
        ).answer
        #expect(both.sentences.map(\.citations) == [[1], [1]])
        #expect(both.sentences.first?.spans.isEmpty == false && both.sentences.last?.spans == [])
        Self.expectSpansInside(both)
        // Without the service's text, the local passage alone would not back it.
        let alone = try await Self.ask(Self.reply(claim, [Self.citation(Self.adrenaline, sourceID: "anaphylaxis")]), resolve: { _, _ in local })
        #expect(alone.answer.refused)
    }

    @Test func unlinkedCitationsHaveDistinctStableSourceIDs() {
        let a = ServiceAnswer.unlinkedSourceID(serviceID: "sepsis", title: "Sepsis", text: Self.fluids)
        let b = ServiceAnswer.unlinkedSourceID(serviceID: "sepsis", title: "Sepsis", text: Self.fluids + " More.")
        #expect(a != b)
        #expect(a.hasPrefix("sepsis#") && b.hasPrefix("sepsis#"))
        #expect(a == ServiceAnswer.unlinkedSourceID(serviceID: "sepsis", title: "Other title", text: Self.fluids))
        #expect(ServiceAnswer.unlinkedSourceID(serviceID: "", title: "Sepsis", text: Self.fluids).hasPrefix("Sepsis#"))
        #expect(ServiceAnswer.unlinkedSourceID(serviceID: "", title: "", text: Self.fluids).hasPrefix("rag#"))
        // FNV-1a's published test vectors: stable across runs, unlike Swift's seeded Hasher.
        #expect(ServiceAnswer.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(ServiceAnswer.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(ServiceAnswer.hex(0xaf63_dc4c_8601_ec8c, digits: 12) == "af63dc4c8601")
        #expect(ServiceAnswer.hex(0xff, digits: 12) == "000000000000")
    }

    @Test func serviceFailuresStillMapToGatewayErrors() async {
        let service = GRPCInferenceService(target: Self.target, callTimeout: .seconds(5)) { _, _ in
            throw RPCError(code: .deadlineExceeded, message: "slow")
        }
        do {
            for try await _ in service.answer(QueryRequest(question: "q")) {}
            Issue.record("expected an error")
        } catch {
            #expect((error as? BedsideError)?.code == .timeout)
        }
    }
}
