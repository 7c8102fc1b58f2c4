import AsyncHTTPClient
import Core
import Foundation
import Inference
import NIOCore
import SQLiteStore
import TestSupport
import Testing

@testable import LocalGateway

/// Nothing unchecked on the wire (issue 19, finding 2), over real loopback SSE: the real
/// pipeline behind the gateway, with a model that writes an unsupported dose between
/// supported sentences. No `delta` carries it, and the deltas concatenate to the `done`
/// answer, from the gateway and relayed through a second gateway (`--inference URL`).
@Suite("Checked sentences on the wire", .serialized)
struct CheckedStreamTests {
    static let note = """
        # Sepsis: initial management

        ## Initial management

        In septic shock, give at least 30 mL/kg of intravenous crystalloid as the first-line fluid bolus within the first 3 hours. Balanced crystalloids are preferred over saline. Reassess the patient after each bolus.
        """
    static let modelText =
        "In septic shock, give at least 30 mL/kg of intravenous crystalloid within the first 3 hours [1]. Give 5 g of adrenaline IV push immediately [1]. Reassess the patient after each bolus [1]. Balanced crystalloids are preferred over saline [1]."

    /// An OpenAI-compatible chat stream of `modelText`, a few characters per chunk.
    struct ScriptedChat: HTTPTransport {
        func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
            var body = ""
            var rest = Substring(CheckedStreamTests.modelText)
            while !rest.isEmpty {
                body += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\(JSONText.quoted(String(rest.prefix(6))))}}]}\n\n"
                rest = rest.dropFirst(6)
            }
            body += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            return TransportResponse(status: 200, headers: ["content-type": "text/event-stream"], bytes: Array(body.utf8))
        }
    }

    static func pipeline(_ folder: TempDirectory) async throws -> Pipeline {
        let notes = folder.file("notes")
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
        try note.write(toFile: notes + "/sepsis.md", atomically: true, encoding: .utf8)
        let db = try BedsideDatabase(path: folder.file("inference.sqlite"))
        _ = try await Ingestor(database: db).ingest(paths: [notes])
        let client = OpenAIChatClient(baseURL: "http://127.0.0.1:9/v1", model: "scripted", transport: ScriptedChat())
        return Pipeline(database: db, generator: LLMGenerator(client: client))
    }

    /// The events of one streamed question over loopback.
    static func stream(_ baseURL: String, token: String) async throws -> [AnswerEvent] {
        var request = HTTPClientRequest(url: baseURL + "/v1/query")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.body = .bytes(ByteBuffer(string: Loopback.query("What is the first-line fluid bolus in septic shock?")))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        #expect(response.status == .ok)
        var parser = ServerSentEventParser()
        var events: [AnswerEvent] = []
        for try await chunk in response.body {
            for sse in parser.feed(chunk.readableBytesView) { if let e = try AnswerEvent(sse) { events.append(e) } }
        }
        return events
    }

    static func expectChecked(_ events: [AnswerEvent]) throws {
        let deltas = events.compactMap { if case .delta(let d) = $0 { d } else { nil } }
        guard case .done(let answer) = events.last else {
            Issue.record("no done event: \(events.map(\.name))")
            return
        }
        #expect(answer.model == "scripted" && !answer.refused)
        #expect(answer.answer.contains("30 mL/kg") && answer.answer.contains("Balanced crystalloids"))
        #expect(answer.removedSentences.contains { $0.text.contains("adrenaline") })
        for d in deltas { #expect(!d.contains("adrenaline") && !d.contains("5 g"), "delta: \(d)") }
        #expect(deltas.joined() == answer.answer)
        #expect(deltas.count >= 2, "sentence by sentence: \(deltas)")
    }

    @Test func theGatewayAndARelayingGatewayStreamOnlyCheckedSentences() async throws {
        let folder = try TempDirectory(prefix: "bedside-checked-stream")
        defer { folder.cleanup() }
        let node = try await EmbeddedGateway.start(
            configuration: GatewayConfiguration(), database: try BedsideDatabase(path: folder.file("node.sqlite")),
            inference: try await Self.pipeline(folder))
        let remote = RemoteInferenceService(baseURL: node.baseURL, token: node.token)
        let front = try await EmbeddedGateway.start(
            configuration: GatewayConfiguration(), database: try BedsideDatabase(path: folder.file("front.sqlite")), inference: remote)
        try Self.expectChecked(try await Self.stream(node.baseURL, token: node.token))
        try Self.expectChecked(try await Self.stream(front.baseURL, token: front.token))
        await front.stop()
        try await remote.shutdown()
        await node.stop()
    }

    @Test func aNodeWhoseDeltasItsAnswerDropsIsAnUpstreamFailure() throws {
        var answer = Answer(question: "q", answer: "Give fluids [1].", model: "m")
        #expect(try RemoteInferenceService.rest(of: answer, after: "Give fluids [1].", baseURL: "http://n") == nil)
        #expect(try RemoteInferenceService.rest(of: answer, after: "", baseURL: "http://n") == nil)
        answer.answer = "Give fluids [1]. Reassess [1]."
        #expect(try RemoteInferenceService.rest(of: answer, after: "Give fluids [1].", baseURL: "http://n") == " Reassess [1].")
        #expect { try RemoteInferenceService.rest(of: answer, after: "Give 5 g of adrenaline [1].", baseURL: "http://n") } throws: {
            ($0 as? BedsideError)?.code == .upstream
        }
    }
}
