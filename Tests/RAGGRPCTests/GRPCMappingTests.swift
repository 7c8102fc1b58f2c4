import Core
import GRPCCore
import Testing

@testable import RAGGRPC

/// rag.RAGService's messages and statuses in Bedside's terms.
@Suite("gRPC RAG mapping")
struct GRPCMappingTests {
    let target = GRPCTarget(host: "127.0.0.1", port: 50051)

    private func citation(_ text: String, score: Double? = nil, sourceID: String? = nil, title: String? = nil) -> Rag_Citation {
        var c = Rag_Citation()
        c.text = text
        if let score { c.score = score }
        if let sourceID { c.sourceID = sourceID }
        if let title { c.title = title }
        return c
    }

    @Test func answerSentencesCitationsAndLinks() {
        var response = Rag_QueryResponse()
        response.answer = "Give IM adrenaline 500 micrograms [1]. Repeat after 5 minutes [1][2]. Lie the patient flat. See also [7]."
        response.citations = [
            citation("The IM adrenaline dose is 500 micrograms.", score: 0.9, sourceID: "anaphylaxis", title: "Anaphylaxis"),
            citation("External text only.", sourceID: "elsewhere"),
        ]
        let link = GRPCInferenceService.LinkedPassage(
            chunkID: 42, title: "Local title", section: "Adrenaline",
            text: "The IM adrenaline dose is 500 micrograms.", start: 10, end: 52)
        let a = GRPCInferenceService.answer(question: "dose?", response: response, linked: [link, nil], target: target, latencyMS: 3)
        #expect(!a.refused)
        #expect(a.model == GRPCInferenceService.model)
        #expect(a.retriever == "grpc://127.0.0.1:50051")
        #expect(a.citations.map(\.n) == [1, 2])
        #expect(a.citations[0].chunkID == 42 && a.citations[0].start == 10 && a.citations[0].end == 52)
        #expect(a.citations[0].title == "Anaphylaxis" && a.citations[0].section == "Adrenaline" && a.citations[0].score == 0.9)
        #expect(a.citations[1].chunkID == 0 && a.citations[1].text == "External text only." && a.citations[1].title == "elsewhere")
        #expect(a.sentences.map(\.citations) == [[1], [1, 2], [], []])
        #expect(a.sentences.map(\.unsupported) == [false, false, true, true])
        #expect(a.removedCitations == [7])
        #expect(!a.answer.contains("[7]"))
        #expect(a.answer.hasPrefix("Give IM adrenaline 500 micrograms [1]. Repeat"))
    }

    @Test func noCitationsIsARefusal() {
        var response = Rag_QueryResponse()
        response.answer = "The indexed sources do not answer this question."
        let a = GRPCInferenceService.answer(question: "q", response: response, linked: [], target: target, latencyMS: 1)
        #expect(a.refused)
        #expect(a.citations.isEmpty && a.sentences.isEmpty)
        #expect(a.answer == response.answer)
    }

    @Test func sentenceSplitKeepsMarkersAfterTheFullStopAndDecimals() {
        let parts = GRPCInferenceService.splitSentences("Give 0.5 mL now. [1] Then wait 5 min.[2] Done")
        #expect(parts == ["Give 0.5 mL now. [1]", "Then wait 5 min.[2]", "Done"])
    }

    @Test func statusCodesBecomeBedsideErrors() {
        func code(_ c: RPCError.Code) -> BedsideError.Code? {
            (GRPCInferenceService.map(RPCError(code: c, message: "m"), target: target) as? BedsideError)?.code
        }
        #expect(code(.unavailable) == .inferenceUnavailable)
        #expect(code(.deadlineExceeded) == .timeout)
        #expect(code(.invalidArgument) == .badRequest)
        #expect(code(.internalError) == .upstream)
        #expect(code(.invalidArgument)?.isClientError == true)
        #expect(code(.unavailable)?.isClientError == false)
    }

    @Test func requestCarriesQuestionFiltersAndDeadline() {
        let m = GRPCInferenceService.message(for: QueryRequest(question: "sepsis fluids", filters: ["source_id": "sepsis"]))
        #expect(m.question == "sepsis fluids" && m.filters == ["source_id": "sepsis"])
        let options = GRPCInferenceService.callOptions(timeout: .milliseconds(1500))
        #expect(options.timeout == .milliseconds(1500))
        #expect(options.waitForReady == false)
    }

    @Test func targets() throws {
        #expect(try GRPCTarget(url: "grpc://rag.internal:50051") == GRPCTarget(host: "rag.internal", port: 50051))
        #expect(try GRPCTarget(url: "grpc://[::1]:7000/") == GRPCTarget(host: "::1", port: 7000))
        #expect(try GRPCTarget(url: "grpc://[::1]:7000").description == "grpc://[::1]:7000")
        for bad in ["http://x:1", "grpc://x", "grpc://:80", "grpc://x:0", "grpc://x:99999", "grpc://x/y:80"] {
            #expect(throws: BedsideError.self, "\(bad)") { try GRPCTarget(url: bad) }
        }
        #expect(GRPCTarget.isGRPC("GRPC://h:1") && !GRPCTarget.isGRPC("http://h:1"))
    }

    @Test func passageMatch() {
        let passages = ["Sepsis needs fluids within the first hour.", "The IM adrenaline dose is 500 micrograms for adults.", "Unrelated text."]
        #expect(PassageMatch.best(for: "the IM  adrenaline dose is 500 micrograms", among: passages) == 1)
        #expect(PassageMatch.best(for: "Fluids in sepsis: within the first hour, 30 mL/kg", among: passages) == 0)
        #expect(PassageMatch.best(for: "Nothing here matches anything at all", among: passages) == nil)
        #expect(PassageMatch.best(for: "", among: passages) == nil)
    }
}
