import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLiteStore
import Testing

@testable import LocalGateway

/// Parses a whole SSE body into answer events.
func answerEvents(_ body: String) throws -> [AnswerEvent] {
    var parser = ServerSentEventParser()
    let sse = parser.feed(body)
    #expect(!parser.hasPartialEvent, "the stream ended inside an event")
    return try sse.compactMap { try AnswerEvent($0) }
}

@Suite("Server-sent events")
struct StreamingTests {
    static let sse: [HTTPField.Name: String] = [.accept: "text/event-stream"]

    @Test func freshAnswerStreamsCitationsDeltasThenDone() async throws {
        let inference = ScriptedInference(text: "Give antibiotics within one hour [1].", pieces: 4)
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody())
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(r.headers[.cacheControl] == "no-cache")
            #expect(r.text.hasPrefix("event: citations\ndata: {"))
            #expect(r.text.hasSuffix("\n\n"))
            let events = try answerEvents(r.text)
            #expect(events.first?.name == "citations" && events.last?.name == "done")
            #expect(events.dropFirst().dropLast().allSatisfy { $0.name == "delta" } && events.count >= 5)
            let text = events.compactMap { if case .delta(let t) = $0 { t } else { nil } }.joined()
            guard case .done(let answer) = events.last else {
                Issue.record("no done")
                return
            }
            #expect(text == answer.answer)
            #expect(answer.answerID != nil && !answer.cached)
            // Saved and audited before `done` was written.
            #expect(try await test.database.auditRecords().first?.answerID == answer.answerID)

            let cached = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody())
            #expect(cached.headers[.xCache] == "hit")
            let again = try answerEvents(cached.text)
            #expect(again.map(\.name) == ["citations", "delta", "done"])
            guard case .done(let hit) = again.last, case .delta(let whole) = again[1] else {
                Issue.record("bad cached stream")
                return
            }
            #expect(hit.cached && hit.answerID == answer.answerID && whole == answer.answer)
        }
    }

    @Test func staleAndUnavailableBeforeTheFirstEvent() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            inference.mode = .fail(BedsideError(.inferenceUnavailable, "down", retryAfter: 7))
            let stale = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse.merging([.cacheControl: "no-cache"]) { $1 }),
                body: queryBody())
            #expect(stale.status == .ok)
            #expect(stale.headers[.contentType]?.hasPrefix("text/event-stream") == true)
            #expect(stale.headers[.warningHeader] != nil && stale.headers[.xStale] == "1")
            guard case .done(let answer) = try answerEvents(stale.text).last else {
                Issue.record("no done")
                return
            }
            #expect(answer.stale)

            let none = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody("unknown question"))
            #expect(none.status == .serviceUnavailable)
            #expect(none.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(none.headers[.retryAfter] == "7")
        }
    }

    @Test func failureMidStreamEndsWithAnErrorEvent() async throws {
        let test = try await TestGateway.make(inference: SlowInference(pieces: 4, delay: .milliseconds(5), failAfter: 2))
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token, Self.sse), body: queryBody())
            #expect(r.status == .ok)
            let events = try answerEvents(r.text)
            #expect(events.map(\.name) == ["citations", "delta", "delta", "error"])
            guard case .error(let e) = events.last else { return }
            #expect(e.code == .upstream && e.detail == nil && e.retryAfter != nil)
        }
        let audit = try #require(try await test.database.auditRecords().first)
        #expect(audit.outcome == "error:upstream_error" && audit.answerID == nil)
        #expect(try await test.database.history(subject: nil).isEmpty)
    }

    @Test func acceptHeaderParsing() {
        #expect(QueryRoute.accepts("text/event-stream", "text/event-stream"))
        #expect(QueryRoute.accepts("application/json, text/event-stream;q=0.9", "text/event-stream"))
        #expect(!QueryRoute.accepts("application/json", "text/event-stream"))
        #expect(!QueryRoute.accepts(nil, "text/event-stream"))
        #expect(QueryRoute.noCache("no-cache"))
        #expect(QueryRoute.noCache("max-age=0, No-Cache"))
        #expect(!QueryRoute.noCache("no-store"))
    }
}
