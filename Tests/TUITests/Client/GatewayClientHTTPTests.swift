import Core
import Foundation
import Testing

@testable import APIClient
@testable import TUI

/// `GatewayClient` against a real loopback HTTP server.
@Suite struct GatewayClientHTTPTests {
    static func wire(_ events: [AnswerEvent]) -> [String] { events.map { $0.serverSentEvent().encoded } }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try WireCoding.encoder().encode(value), as: UTF8.self)
    }

    @Test func queryStreamsEventsAndSendsTheRightRequest() async throws {
        let answer = Fixtures.answer()
        let events: [AnswerEvent] = [.citations(answer.citations), .delta("Give 30 mL/kg"), .delta(" [1]."), .done(answer)]
        // Split one event across two writes to exercise partial reads.
        var chunks = Self.wire(events)
        let first = chunks.removeFirst()
        let mid = first.index(first.startIndex, offsetBy: first.count / 2)
        chunks.insert(contentsOf: [String(first[..<mid]), String(first[mid...])], at: 0)
        let body = chunks
        let server = try await LoopbackServer.start { _ in
            LoopbackServer.Response(status: 200, headers: [("Content-Type", "text/event-stream")], chunks: body)
        }
        defer { Task { await server.stop() } }
        let client = GatewayClient(baseURL: server.url, token: "secret-token")
        var received: [AnswerEvent] = []
        for try await e in client.query(QueryRequest(question: "How much fluid in sepsis?"), noCache: true) { received.append(e) }
        #expect(received == events)
        let request = try #require(await server.requests().first)
        #expect(request.method == "POST")
        #expect(request.target == "/v1/query")
        #expect(request.headers["authorization"] == "Bearer secret-token")
        #expect(request.headers["accept"] == "text/event-stream")
        #expect(request.headers["cache-control"] == "no-cache")
        let sent = try WireCoding.decoder().decode(QueryRequest.self, from: Data(request.body.utf8))
        #expect(sent.question == "How much fluid in sepsis?")
    }

    @Test func queryWithoutNoCacheSendsNoCacheControl() async throws {
        let server = try await LoopbackServer.start { _ in
            LoopbackServer.Response(
                status: 200, headers: [("Content-Type", "text/event-stream")],
                chunks: Self.wire([.done(Fixtures.answer())]))
        }
        defer { Task { await server.stop() } }
        for try await _ in GatewayClient(baseURL: server.url, token: "t").query(QueryRequest(question: "q")) {}
        #expect(await server.requests().first?.headers["cache-control"] == nil)
    }

    @Test func queryAnsweredWithPlainJSONYieldsDone() async throws {
        let answer = Fixtures.answer(cached: true)
        let body = try Self.json(answer)
        let server = try await LoopbackServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        var received: [AnswerEvent] = []
        for try await e in GatewayClient(baseURL: server.url, token: "t").query(QueryRequest(question: "q")) { received.append(e) }
        #expect(received.count == 1)
        if case .done(let a) = received.first { #expect(a.cached) } else { Issue.record("expected done") }
    }

    @Test func query503WithEnvelopeThrowsInferenceUnavailable() async throws {
        let server = try await LoopbackServer.start { _ in
            .json(503, #"{"error":{"code":"inference_unavailable","message":"Inference is unavailable and nothing is cached.","retry_after":10}}"#)
        }
        defer { Task { await server.stop() } }
        do {
            for try await _ in GatewayClient(baseURL: server.url, token: "t").query(QueryRequest(question: "q")) {}
            Issue.record("expected an error")
        } catch let e as BedsideError {
            #expect(e.code == .inferenceUnavailable)
            #expect(e.retryAfter == 10)
        }
    }

    @Test func truncatedStreamThrows() async throws {
        let server = try await LoopbackServer.start { _ in
            LoopbackServer.Response(
                status: 200, headers: [("Content-Type", "text/event-stream")],
                chunks: Self.wire([.citations([]), .delta("partial")]))
        }
        defer { Task { await server.stop() } }
        var deltas = 0
        do {
            for try await e in GatewayClient(baseURL: server.url, token: "t").query(QueryRequest(question: "q")) {
                if case .delta = e { deltas += 1 }
            }
            Issue.record("expected an error")
        } catch let e as BedsideError {
            #expect(e.code == .upstream)
            #expect(deltas == 1)
        }
    }

    @Test func historyAnswerAndSource() async throws {
        let entries = Fixtures.history(["Fluids in sepsis"])
        let (doc, _) = Fixtures.sourceDocument()
        let answer = Fixtures.answer()
        let (historyBody, answerBody, docBody) = (try Self.json(HistoryPage(items: entries)), try Self.json(answer), try Self.json(doc))
        let server = try await LoopbackServer.start { request in
            if request.target.hasPrefix("/v1/history") { return .json(200, historyBody) }
            if request.target == "/v1/answers/a1" { return .json(200, answerBody) }
            if request.target == "/v1/sources/11" { return .json(200, docBody) }
            return .json(404, #"{"error":{"code":"not_found","message":"No such thing."}}"#)
        }
        defer { Task { await server.stop() } }
        let client = GatewayClient(baseURL: server.url, token: "t")
        #expect(try await client.history(query: "fluid sepsis", limit: 7) == entries)
        #expect(try await client.answer(id: "a1") == answer)
        #expect(try await client.source(chunkID: 11) == doc)
        let targets = await server.requests().map(\.target)
        #expect(targets.first == "/v1/history?q=fluid%20sepsis&limit=7")
        do {
            _ = try await client.source(chunkID: 999)
            Issue.record("expected not found")
        } catch let e as BedsideError {
            #expect(e.code == .notFound)
            #expect(e.message == "No such thing.")
        }
    }

    @Test func readyIsStatusOn200AndNilOn503() async throws {
        let status = InferenceStatus(ready: true, indexVersion: 2, model: "extractive", retriever: "bm25")
        let statusBody = try Self.json(status)
        let up = try await LoopbackServer.start { _ in .json(200, statusBody) }
        defer { Task { await up.stop() } }
        #expect(try await GatewayClient(baseURL: up.url, token: "t").ready() == status)
        let down = try await LoopbackServer.start { _ in
            .json(503, #"{"error":{"code":"inference_unavailable","message":"down"}}"#)
        }
        defer { Task { await down.stop() } }
        #expect(try await GatewayClient(baseURL: down.url, token: "t").ready() == nil)
    }

    @Test func unauthorizedIsReported() async throws {
        let server = try await LoopbackServer.start { _ in LoopbackServer.Response(status: 401, chunks: ["denied"]) }
        defer { Task { await server.stop() } }
        do {
            _ = try await GatewayClient(baseURL: server.url, token: "bad").history()
            Issue.record("expected unauthorized")
        } catch let e as BedsideError {
            #expect(e.code == .unauthorized)
        }
    }

    @Test func unreachableGatewayIsAGatewayUnreachableError() async throws {
        // Bind a port, then close it, so nothing listens there.
        let server = try await LoopbackServer.start { _ in .json(200, "{}") }
        let url = server.url
        await server.stop() // the listening socket is closed when this returns
        let http = GatewayClient.makeHTTPClient(connectTimeout: .seconds(1))
        let client = GatewayClient(baseURL: url, token: "t", httpClient: http)
        let started = ContinuousClock.now
        do {
            _ = try await client.ready()
            Issue.record("expected a connection error")
        } catch let e as BedsideError {
            #expect(e.code == .gatewayUnreachable)
            #expect(e.message.contains("Cannot reach the gateway"))
        }
        do {
            for try await _ in client.query(QueryRequest(question: "q")) {}
            Issue.record("expected a connection error")
        } catch let e as BedsideError {
            #expect(e.code == .gatewayUnreachable)
        }
        // The bound is the point: a refused connection fails at once, not after the shared
        // client's 90 s connect timeout; 30 s tells the two apart on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(30))
        try await http.shutdown()
    }
}
