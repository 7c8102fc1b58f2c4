import Core
import Foundation
import Testing

@testable import APIClient
@testable import TUI

@Suite struct ClientPiecesTests {
    @Test func endpointsAreBuiltFromTheBaseURL() {
        let e = GatewayEndpoint("http://127.0.0.1:8787/")
        #expect(e.query == "http://127.0.0.1:8787/v1/query")
        #expect(e.ready == "http://127.0.0.1:8787/readyz")
        #expect(e.source(chunkID: 42) == "http://127.0.0.1:8787/v1/sources/42")
        #expect(e.answer(id: "a b/c") == "http://127.0.0.1:8787/v1/answers/a%20b%2Fc")
        #expect(e.history(query: nil, limit: 20) == "http://127.0.0.1:8787/v1/history?limit=20")
        #expect(e.history(query: "fluids & sepsis?", limit: 5) == "http://127.0.0.1:8787/v1/history?q=fluids%20%26%20sepsis%3F&limit=5")
        #expect(e.display == "127.0.0.1:8787")
        #expect(GatewayEndpoint("localhost:9000").base == "http://localhost:9000")
    }

    @Test func errorEnvelopeIsDecoded() {
        let body = Data(#"{"error":{"code":"inference_unavailable","message":"Inference is down.","retry_after":30}}"#.utf8)
        let e = GatewayResponse.error(status: 503, body: body)
        #expect(e.code == .inferenceUnavailable)
        #expect(e.message == "Inference is down.")
        #expect(e.retryAfter == 30)
    }

    @Test func statusWithoutEnvelopeMapsToACode() {
        #expect(GatewayResponse.error(status: 401, body: Data("nope".utf8)).code == .unauthorized)
        #expect(GatewayResponse.error(status: 429, body: Data(), retryAfterHeader: "12").retryAfter == 12)
        #expect(GatewayResponse.error(status: 503, body: Data()).code == .inferenceUnavailable)
        #expect(GatewayResponse.error(status: 500, body: Data()).code == .upstream)
    }

    @Test func undecodableBodyIsAnUpstreamError() {
        #expect(throws: BedsideError.self) { try GatewayResponse.decode(Answer.self, from: Data("{}".utf8)) }
        do {
            _ = try GatewayResponse.decode(HistoryPage.self, from: Data("not json".utf8))
            Issue.record("expected a throw")
        } catch let e as BedsideError {
            #expect(e.code == .upstream)
        } catch {
            Issue.record("wrong error \(error)")
        }
    }

    @Test func readinessReadsTheStatusOrNil() throws {
        let status = InferenceStatus(ready: true, indexVersion: 4, model: "extractive", retriever: "bm25")
        let body = try WireCoding.encoder().encode(status)
        #expect(GatewayResponse.readiness(status: 200, body: body).readyStatus == status)
        #expect(GatewayResponse.readiness(status: 503, body: body).readyStatus == nil)
        #expect(GatewayResponse.readiness(status: 503, body: body).status == status)
        #expect(GatewayResponse.readiness(status: 200, body: Data("ok".utf8)).readyStatus?.ready == true)
        var down = status
        down.ready = false
        #expect(GatewayResponse.readiness(status: 200, body: try WireCoding.encoder().encode(down)).readyStatus == nil)
        let envelope = Data(#"{"error":{"code":"inference_unavailable","message":"Inference is not reachable."}}"#.utf8)
        let unreachable = GatewayResponse.readiness(status: 503, body: envelope)
        #expect(unreachable.readyStatus == nil && unreachable.status == nil)
        #expect(unreachable.error?.code == .inferenceUnavailable && unreachable.httpStatus == 503)
    }

    static func wire(_ events: [AnswerEvent]) -> [UInt8] {
        Array(events.map { $0.serverSentEvent().encoded }.joined().utf8)
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func streamDecoderHandlesChunksSplitAnywhere(chunkSize: Int) throws {
        let answer = Fixtures.answer(question: "Fièvre et 発熱?")
        let events: [AnswerEvent] = [.citations(answer.citations), .delta("Donnez 30 mL/kg"), .delta(" 発熱 [1]."), .done(answer)]
        let bytes = Self.wire(events)
        var decoder = AnswerStreamDecoder()
        var out: [AnswerEvent] = []
        var i = 0
        while i < bytes.count {
            out += try decoder.feed(bytes[i..<min(bytes.count, i + chunkSize)])
            i += chunkSize
        }
        try decoder.finish()
        #expect(out.count == 4)
        #expect(out[1] == .delta("Donnez 30 mL/kg"))
        #expect(out[2] == .delta(" 発熱 [1]."))
        if case .done(let a) = out[3] { #expect(a.question == "Fièvre et 発熱?") } else { Issue.record("no done") }
    }

    @Test func truncatedStreamIsReported() throws {
        var decoder = AnswerStreamDecoder()
        _ = try decoder.feed(Self.wire([.delta("partial")]))
        #expect(throws: BedsideError.self) { try decoder.finish() }
    }

    @Test func unknownEventsAreSkippedAndBadJSONIsAnError() throws {
        var decoder = AnswerStreamDecoder()
        #expect(try decoder.feed(Array(": keep-alive\n\nevent: ping\ndata: {}\n\n".utf8)).isEmpty)
        #expect(throws: BedsideError.self) { _ = try decoder.feed(Array("event: delta\ndata: {oops\n\n".utf8)) }
    }

    @Test func errorEventEndsTheStream() throws {
        var decoder = AnswerStreamDecoder()
        let out = try decoder.feed(Self.wire([.error(BedsideError(.timeout, "slow"))]))
        #expect(out == [.error(BedsideError(.timeout, "slow"))])
        try decoder.finish()
    }

    @Test func keyDecoderMapsCursesInput() {
        let d = KeyDecoder(
            keys: [
                259: .up, 258: .down, 260: .left, 261: .right, 262: .home, 360: .end, 338: .pageDown,
                339: .pageUp, 353: .backTab, 330: .delete, 263: .backspace, 343: .enter,
            ], resize: 410, f1: 265)
        #expect(d.decode(isKeyCode: false, value: 13) == .key(.enter))
        #expect(d.decode(isKeyCode: false, value: 27) == .key(.escape))
        #expect(d.decode(isKeyCode: false, value: 127) == .key(.backspace))
        #expect(d.decode(isKeyCode: false, value: 1) == .key(.control("a")))
        #expect(d.decode(isKeyCode: false, value: 3) == .key(.control("c")))
        #expect(d.decode(isKeyCode: false, value: 18) == .key(.control("r")))
        #expect(d.decode(isKeyCode: false, value: 0x767A) == .key(.character("発")))
        #expect(d.decode(isKeyCode: false, value: 0x1F600) == .key(.character("😀")))
        #expect(d.decode(isKeyCode: true, value: 410) == .resize)
        #expect(d.decode(isKeyCode: true, value: 259) == .key(.up))
        #expect(d.decode(isKeyCode: true, value: 266) == .key(.function(2)))
        #expect(d.decode(isKeyCode: true, value: 999) == nil)
    }

    @Test func colourFollowsNoColorAndTheFlag() {
        let options = TUIOptions(gatewayURL: "http://x", token: "t")
        #expect(options.usesColor(environment: [:]))
        #expect(!options.usesColor(environment: ["NO_COLOR": "1"]))
        #expect(options.usesColor(environment: ["NO_COLOR": ""]))
        #expect(!options.usesColor(environment: ["TERM": "dumb"]))
        #expect(!TUIOptions(gatewayURL: "http://x", token: "t", noColor: true).usesColor(environment: [:]))
    }
}
