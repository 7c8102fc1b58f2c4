import Core
import Foundation
import GRPCCore
import Inference
import Testing

@testable import RAGGRPC

/// Whatever a RAG peer sends, the gateway's work is bounded (issue 19): a reply over a cap on
/// its answer, its citation count or a citation's size, or with a score JSON cannot carry
/// (NaN, ±infinity), is refused whole as `upstream_error` before any of it is checked.
@Suite("gRPC peer replies: caps and non-finite scores")
struct PeerReplyBoundsTests {
    static let target = GRPCTarget(host: "127.0.0.1", port: 50051)
    static let passage = ServiceAnswerTests.adrenaline
    static let limits = PeerReplyLimits(answerBytes: 1_000, citations: 3, citationBytes: 2_000)

    /// The error a fake peer's `reply` ends in (nil: it was answered).
    static func failure(of reply: Rag_QueryResponse, limits: PeerReplyLimits = Self.limits) async -> BedsideError? {
        let service = GRPCInferenceService(target: target, callTimeout: .seconds(5), limits: limits) { _, _ in reply }
        do {
            for try await _ in service.answer(QueryRequest(question: "What is the IM adrenaline dose?")) {}
            return nil
        } catch {
            return error as? BedsideError
        }
    }

    static func reply(answer: String = ServiceAnswerTests.dose + " [1].", citations: [Rag_Citation]) -> Rag_QueryResponse {
        ServiceAnswerTests.reply(answer, citations)
    }

    @Test("a reply within the caps is answered")
    func withinCaps() async {
        #expect(await Self.failure(of: Self.reply(citations: [ServiceAnswerTests.citation(Self.passage)])) == nil)
    }

    @Test("an answer, a citation count or a citation over its cap is refused as upstream_error")
    func overCaps() async {
        let one = ServiceAnswerTests.citation(Self.passage)
        let cases: [(String, Rag_QueryResponse)] = [
            ("answer", Self.reply(answer: String(repeating: "The IM adrenaline dose is 500 micrograms [1]. ", count: 40), citations: [one])),
            ("citations", Self.reply(citations: Array(repeating: one, count: 4))),
            ("citation text", Self.reply(citations: [ServiceAnswerTests.citation(String(repeating: Self.passage + " ", count: 8))])),
            ("citation title", Self.reply(citations: [ServiceAnswerTests.citation(Self.passage, title: String(repeating: "t", count: 1_900))])),
        ]
        for (what, reply) in cases {
            let error = await Self.failure(of: reply)
            #expect(error?.code == .upstream, "\(what): \(String(describing: error))")
            #expect(error?.message.contains("at most") == true, "\(what): \(String(describing: error))")
        }
    }

    @Test("a NaN or infinite score is refused as upstream_error, not encoded into an outage")
    func nonFiniteScores() async {
        for score in [Double.nan, .infinity, -.infinity] {
            var c = ServiceAnswerTests.citation(Self.passage)
            c.score = score
            let error = await Self.failure(of: Self.reply(citations: [c]))
            #expect(error?.code == .upstream, "score \(score): \(String(describing: error))")
        }
    }

    @Test("the transport refusing an oversized message is the peer's fault (upstream_error), not an outage")
    func oversizedMessage() {
        let error = GRPCInferenceService.map(
            RPCError(code: .resourceExhausted, message: "Message has exceeded the configured maximum payload size (max: 10, actual: 20)"),
            target: Self.target)
        #expect((error as? BedsideError)?.code == .upstream)
        let overloaded = GRPCInferenceService.map(RPCError(code: .resourceExhausted, message: "too many calls"), target: Self.target)
        #expect((overloaded as? BedsideError)?.code == .inferenceUnavailable)
        let options = GRPCInferenceService.callOptions(timeout: .seconds(1), limits: Self.limits)
        #expect(options.maxRequestMessageBytes == Self.limits.messageBytes)
        #expect(Self.limits.messageBytes < 16_000)
    }

    @Test("a check whose deadline passed (its task cancelled) stops and ends in CancellationError")
    func cancelledCheckStops() async {
        let reply = Self.reply(citations: [ServiceAnswerTests.citation(Self.passage)])
        let service = GRPCInferenceService(target: Self.target, callTimeout: .seconds(5), limits: Self.limits) { _, _ in
            withUnsafeCurrentTask { $0?.cancel() } // the deadline passes while the peer answers
            return reply
        }
        do {
            for try await e in service.answer(QueryRequest(question: "What is the IM adrenaline dose?")) { Issue.record("unexpected \(e)") }
            Issue.record("expected CancellationError")
        } catch {
            #expect(error is CancellationError, "\(error)")
        }
    }

    @Test("a long passage is matched to a local one in linear time, with the same answers")
    func passageMatch() {
        #expect(PassageMatch.holds("The IM adrenaline dose is 500 micrograms.", "adrenaline dose is 500"))
        #expect(!PassageMatch.holds("The IM adrenaline dose is 500 micrograms.", "dose adrenaline"))
        #expect(PassageMatch.holds(Array("aaab".utf8), Array("aab".utf8)))
        #expect(!PassageMatch.holds(Array("abab".utf8), Array("abb".utf8)))
        let passages = ["Give oxygen.", Self.passage, "Lie flat."]
        #expect(PassageMatch.best(for: "the IM adrenaline dose is 500 micrograms", among: passages) == 1)
        #expect(PassageMatch.best(for: String(repeating: "a ", count: 100_000) + "give oxygen", among: passages) == 0)
    }
}
