import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Inference
import SQLiteStore
import TestSupport
import Testing

@testable import LocalGateway

/// Sentence-level citations through the gateway: the real pipeline behind it, the spans in
/// the JSON answer, the SSE `done` event, the SQLite cache and the stored answer replay.
@Suite("Source spans through the gateway")
struct SourceSpanRouteTests {
    static let note = """
        # Sepsis: initial management

        ## Initial management

        In septic shock, give at least 30 mL/kg of intravenous crystalloid as the first-line fluid bolus within the first 3 hours. Balanced crystalloids are preferred over saline. Reassess the patient after each bolus.

        Noradrenaline is the first-line vasopressor, targeting a mean arterial pressure of 65 mmHg.
        """

    /// A pipeline over an ingested note, and the note's text.
    static func pipeline(_ folder: TempDirectory) async throws -> Pipeline {
        let notes = folder.file("notes")
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
        try note.write(toFile: notes + "/sepsis.md", atomically: true, encoding: .utf8)
        let db = try BedsideDatabase(path: folder.file("inference.sqlite"))
        _ = try await Ingestor(database: db).ingest(paths: [notes])
        return Pipeline(database: db)
    }

    /// Every span of a supported sentence is a whole sentence of its citation's passage.
    static func checkSpans(_ a: Answer) {
        #expect(!a.refused)
        #expect(!a.sentences.isEmpty)
        for sentence in a.sentences {
            #expect(!sentence.spans.isEmpty, "no span for \(sentence.text)")
            for span in sentence.spans {
                guard let c = a.citations.first(where: { $0.n == span.citation }), let quote = c.quote(span) else {
                    Issue.record("span \(span) is not inside its citation")
                    continue
                }
                #expect(note.contains(quote))
                #expect(sentence.text.hasPrefix(String(quote.dropLast())))
            }
        }
    }

    @Test func spansArriveThroughQueryStreamCacheAndReplay() async throws {
        let folder = try TempDirectory(prefix: "bedside-spans")
        defer { folder.cleanup() }
        let test = try await TestGateway.make(inference: try await Self.pipeline(folder))
        defer { test.cleanup() }
        let token = try await test.token()
        let body = queryBody("What is the first-line fluid bolus in septic shock?")
        try await test.app.test(.router) { client in
            // POST /v1/query, JSON.
            let fresh = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: body)
            #expect(fresh.status == .ok)
            #expect(fresh.text.contains(#""spans":[{"#))
            let answer = try fresh.decode(Answer.self)
            #expect(!answer.cached)
            Self.checkSpans(answer)
            // The same question again: from the SQLite cache, spans intact.
            let cached = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: body).decode(Answer.self)
            #expect(cached.cached)
            #expect(cached.sentences == answer.sentences)
            // SSE: the `done` event carries them.
            let stream = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token, [.accept: "text/event-stream"]), body: body)
            guard case .done(let streamed) = try answerEvents(stream.text).last else {
                Issue.record("no done event")
                return
            }
            #expect(streamed.sentences.map(\.spans) == answer.sentences.map(\.spans))
            // GET /v1/answers/{id}: the stored answer replays with its spans.
            let id = try #require(answer.answerID)
            let replay = try await client.execute(uri: "/v1/answers/\(id)", method: .get, headers: .bearer(token)).decode(Answer.self)
            #expect(replay.sentences.map(\.spans) == answer.sentences.map(\.spans))
            Self.checkSpans(replay)
        }
    }
}
