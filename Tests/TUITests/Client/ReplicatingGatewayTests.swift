import Core
import Foundation
import Synchronization
import Testing

@testable import APIClient
@testable import TUI

/// An in-memory replica: the TUI's side of the seam, without SQLite.
final class MemoryReplica: AnswerReplica, Sendable {
    private struct Held {
        var answers: [String: Answer] = [:]
        var sources: [Int64: SourceDocument] = [:]
    }
    private let held = Mutex(Held())
    var location: String { "memory" }

    var heldSources: [Int64] { held.withLock { $0.sources.keys.sorted() } }
    var heldAnswers: [String] { held.withLock { $0.answers.keys.sorted() } }

    func record(_ answer: Answer) throws { held.withLock { $0.answers[answer.answerID ?? UUID().uuidString] = answer } }
    func record(_ source: SourceDocument, indexVersion: Int) throws { held.withLock { $0.sources[source.chunkID] = source } }
    func holdsSource(for citation: Citation) throws -> Bool { held.withLock { $0.sources[citation.chunkID]?.passage == citation.text } }
    func latestAnswer(question: String) throws -> Answer? {
        held.withLock {
            $0.answers.values.filter { $0.question.normalizedQuestion == question.normalizedQuestion }.max { $0.createdAt < $1.createdAt }
        }
    }
    func answer(id: String) throws -> Answer? { held.withLock { $0.answers[id] } }
    func history(query: String?, limit: Int) throws -> [HistoryEntry] {
        held.withLock {
            $0.answers.values.filter { query == nil || $0.question.normalizedQuestion.contains(query!.normalizedQuestion) }
                .sorted { $0.createdAt > $1.createdAt }.prefix(limit)
                .map {
                    HistoryEntry(
                        answerID: $0.answerID ?? "", question: $0.question, refused: $0.refused, model: $0.model,
                        indexVersion: $0.indexVersion, createdAt: $0.createdAt)
                }
        }
    }
    func source(chunkID: Int64) throws -> SourceDocument? { held.withLock { $0.sources[chunkID] } }
}

@Suite struct ReplicatingGatewayTests {
    static func document(_ chunk: Int64, passage: String = "passage") -> SourceDocument {
        SourceDocument(
            chunkID: chunk, documentID: "sepsis", title: "Sepsis guideline", section: "Fluids", passage: passage,
            documentText: "Intro. \(passage) More.", start: 7, end: 7 + passage.utf8.count)
    }

    static func answer(_ id: String, _ question: String, at: Double) -> Answer {
        var a = Fixtures.answer(question: question)
        a.answerID = id
        a.createdAt = Date(timeIntervalSince1970: at)
        return a
    }

    /// A base URL where nothing listens any more (a server started, then stopped).
    static func deadURL() async throws -> String {
        let server = try await LoopbackServer.start { _ in .json(200, "{}") }
        let url = server.url
        await server.stop()
        return url
    }

    @Test func textOnlyCitationsAreKeptWithTheAnswerAndNeverFetched() async throws {
        let server = try await LoopbackServer.start { _ in .json(400, #"{"error":{"code":"bad_request","message":"no"}}"#) }
        defer { Task { await server.stop() } }
        let replica = MemoryReplica()
        let gateway = ReplicatingGateway(client: GatewayClient(baseURL: server.url, token: "t"), replica: replica)
        // A RAG service's citations without a local passage: chunk id 0, their text in the answer.
        let answer = Fixtures.answer(citations: [Fixtures.citation(1, chunk: 0), Fixtures.citation(2, chunk: 0)])
        let kept = await gateway.keep(answer)
        #expect(kept.failures.isEmpty)
        #expect(kept.documents == 0)
        #expect(replica.heldAnswers == ["a1"])
        #expect(await server.requests().isEmpty)
    }

    @Test func keepsTheAnswerAndFetchesOnlyTheDocumentsItLacks() async throws {
        let server = try await LoopbackServer.start { request in
            guard request.target.hasPrefix("/v1/sources/"), let id = Int64(request.target.dropFirst("/v1/sources/".count)) else {
                return .json(404, #"{"error":{"code":"not_found","message":"no"}}"#)
            }
            // An encoding failure answers 500, which the assertions on what was kept then report.
            guard let body = try? WireCoding.encoder().encode(Self.document(id)) else { return .json(500, "{}") }
            return .json(200, String(decoding: body, as: UTF8.self))
        }
        defer { Task { await server.stop() } }
        let replica = MemoryReplica()
        try await replica.record(Self.document(12), indexVersion: 3)
        let gateway = ReplicatingGateway(client: GatewayClient(baseURL: server.url, token: "t"), replica: replica)
        let answer = Fixtures.answer(citations: [Fixtures.citation(1, chunk: 11), Fixtures.citation(2, chunk: 12)])
        let kept = await gateway.keep(answer)
        #expect(kept.documents == 1)
        #expect(kept.failures.isEmpty)
        #expect(replica.heldSources == [11, 12])
        #expect(replica.heldAnswers == ["a1"])
        #expect(await server.requests().map(\.target) == ["/v1/sources/11"])
        // Kept again: nothing fetched.
        _ = await gateway.keep(answer)
        #expect(await server.requests().count == 1)
    }

    @Test func theReplicaAnswersWhenTheGatewayIsGone() async throws {
        let replica = MemoryReplica()
        try await replica.record(Self.answer("a1", "How much fluid in sepsis?", at: 100))
        try await replica.record(Self.document(11), indexVersion: 3)
        // The console's own HTTP client: no retries of a refused connection. Its connect
        // timeout is set far above the bound below, so the bound tells a refusal answered at
        // once from one that waited for the timeout, with room for a loaded machine.
        let http = GatewayClient.makeHTTPClient(connectTimeout: .seconds(120))
        do {
            try await Self.replayWhileGone(
                ReplicatingGateway(
                    client: GatewayClient(baseURL: try await Self.deadURL(), token: "t", httpClient: http),
                    replica: replica))
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    static func replayWhileGone(_ gateway: ReplicatingGateway) async throws {
        let started = ContinuousClock.now
        let history = try await gateway.history(query: nil, limit: 10)
        #expect(history.entries.map(\.answerID) == ["a1"])
        #expect(history.offline?.code == .gatewayUnreachable)
        // A refused connection fails at once, not after the connect timeout (120 s above; the
        // bound is the point of the test, wide because a loaded 2-core run has read 6 s).
        #expect(ContinuousClock.now - started < .seconds(30))

        let stored = try await gateway.answer(id: "a1")
        #expect(stored.answer.stale && stored.answer.cached)
        #expect(stored.offline != nil)
        let source = try await gateway.source(chunkID: 11, indexVersion: 3)
        #expect(source.document.passage == "passage")
        await #expect(throws: BedsideError.self) { _ = try await gateway.source(chunkID: 99, indexVersion: 3) }

        let replayed = try #require(await gateway.replay(question: "  how much FLUID in sepsis? "))
        #expect(replayed.stale && replayed.cached)
        #expect(await gateway.replay(question: "never asked") == nil)
    }

    @Test func historyMergesTheGatewaysAndTheReplicasWithoutDuplicates() async throws {
        let remote = HistoryPage(items: [
            HistoryEntry(
                answerID: "a2", question: "Second", refused: false, model: "m", indexVersion: 1, createdAt: Date(timeIntervalSince1970: 200)),
            HistoryEntry(answerID: "a1", question: "First", refused: false, model: "m", indexVersion: 1, createdAt: Date(timeIntervalSince1970: 100)),
        ])
        let body = String(decoding: try WireCoding.encoder().encode(remote), as: UTF8.self)
        let server = try await LoopbackServer.start { _ in .json(200, body) }
        defer { Task { await server.stop() } }
        let replica = MemoryReplica()
        try await replica.record(Self.answer("a2", "Second", at: 200))
        try await replica.record(Self.answer("a3", "Third, asked on another gateway run", at: 300))
        let gateway = ReplicatingGateway(client: GatewayClient(baseURL: server.url, token: "t"), replica: replica)
        let merged = try await gateway.history(query: nil, limit: 10)
        #expect(merged.offline == nil)
        #expect(merged.entries.map(\.answerID) == ["a3", "a2", "a1"])
    }

    @Test func answerListURL() {
        let e = GatewayEndpoint("http://127.0.0.1:8787/")
        #expect(e.answerList(since: "30d", cursor: "abc_-", limit: 50) == "http://127.0.0.1:8787/v1/answers?since=30d&cursor=abc_-&limit=50")
        #expect(e.answerList(since: nil, cursor: nil, limit: 0) == "http://127.0.0.1:8787/v1/answers?limit=1")
    }
}
