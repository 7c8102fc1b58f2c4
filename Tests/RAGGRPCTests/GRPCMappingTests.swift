import Core
import GRPCCore
import Inference
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

    @Test func citationsLinkedToTheLocalIndexOrCarryingTheirText() {
        let external = citation("External text only.", sourceID: "elsewhere")
        let link = GRPCInferenceService.LinkedPassage(
            chunkID: 42, title: "Local title", section: "Adrenaline", text: "The IM adrenaline dose is 500 micrograms.", start: 10, end: 51)
        let linked = ServiceAnswer.citation(
            n: 1, citation("The IM adrenaline dose is 500 micrograms.", score: 0.9, sourceID: "anaphylaxis", title: "Anaphylaxis"), linked: link)
        #expect(linked.sourceID == "anaphylaxis" && linked.chunkID == 42 && linked.start == 10 && linked.end == 51)
        #expect(linked.title == "Anaphylaxis" && linked.section == "Adrenaline" && linked.score == 0.9 && linked.text == link.text)
        let own = ServiceAnswer.citation(n: 2, external, linked: nil)
        #expect(own.chunkID == 0 && own.text == "External text only." && own.title == "elsewhere")
        // Its own document: offsets into its text, an id of its own.
        #expect(own.start == 0 && own.end == "External text only.".utf8.count)
        #expect(own.sourceID.hasPrefix("elsewhere#") && own.sourceID != "elsewhere")
        #expect(ServiceAnswer.citation(n: 3, citation("No id."), linked: nil).title == "Source 3")
    }

    @Test func noCitationsIsARefusal() {
        var response = Rag_QueryResponse()
        response.answer = "The indexed sources do not answer this question."
        let a = ServiceAnswer.answer(question: "q", response: response, linked: [], target: target, latencyMS: 1)
        #expect(a.refused)
        #expect(a.citations.isEmpty && a.sentences.isEmpty && a.nearestSources.isEmpty)
        #expect(a.answer == Pipeline.noNearSourceRefusalText)
        #expect(a.model == GRPCInferenceService.model && a.retriever == "grpc://127.0.0.1:50051")
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
