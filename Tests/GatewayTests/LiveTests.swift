import AsyncHTTPClient
import Core
import Foundation
import Logging
import NIOCore
import SQLiteStore
import ServiceLifecycle
import TestSupport
import Testing
import UnixSignals

@testable import LocalGateway

@Suite("Real loopback HTTP", .serialized)
struct LiveTests {
    static func freshDatabase() throws -> (String, BedsideDatabase) {
        let folder = NSTemporaryDirectory() + "bedside-live-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return (folder, try BedsideDatabase(path: folder + "/t.sqlite"))
    }

    @Test func embeddedGatewayAnswersOverLoopback() async throws {
        let (folder, db) = try Self.freshDatabase()
        defer {
            try? db.close()
            try? FileManager.default.removeItem(atPath: folder)
        }
        let embedded = try await EmbeddedGateway.start(
            configuration: GatewayConfiguration(), database: db, inference: ScriptedInference(), subject: "dr.ada")
        #expect(embedded.baseURL.hasPrefix("http://127.0.0.1:") && embedded.port > 0)
        let r = try await Loopback.request(embedded.baseURL + "/v1/query", method: "POST", token: embedded.token, body: Loopback.query())
        #expect(r.status == 200)
        let answer = try WireCoding.decoder().decode(Answer.self, from: Data(r.body.utf8))
        #expect(answer.answerID != nil)
        #expect(r.headers["ratelimit"] != nil && r.headers["x-request-id"] != nil)
        let unauthorized = try await Loopback.request(embedded.baseURL + "/v1/query", method: "POST", token: "nope", body: Loopback.query())
        #expect(unauthorized.status == 401)
        #expect(try await db.auditRecords().first?.subject == "dr.ada")
        await embedded.stop()
        await #expect(throws: (any Error).self) { try await Loopback.request(embedded.baseURL + "/healthz", timeout: .seconds(2)) }
    }

    @Test func streamedDeltasArriveBeforeTheAnswerIsDone() async throws {
        let (folder, db) = try Self.freshDatabase()
        defer {
            try? db.close()
            try? FileManager.default.removeItem(atPath: folder)
        }
        let embedded = try await EmbeddedGateway.start(
            configuration: GatewayConfiguration(), database: db,
            inference: SlowInference(pieces: 4, delay: .milliseconds(150)))
        defer { Task { await embedded.stop() } }
        var request = HTTPClientRequest(url: embedded.baseURL + "/v1/query")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(embedded.token)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        request.body = .bytes(ByteBuffer(string: Loopback.query()))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        #expect(response.status == .ok)
        var parser = ServerSentEventParser()
        var arrivals: [(String, ContinuousClock.Instant)] = []
        for try await chunk in response.body {
            for sse in parser.feed(chunk.readableBytesView) { arrivals.append((sse.event ?? "", ContinuousClock.now)) }
        }
        #expect(arrivals.map(\.0) == ["citations", "delta", "delta", "delta", "delta", "done"])
        // The first delta came well before the end: it was streamed, not buffered.
        #expect(arrivals[5].1 - arrivals[1].1 > .milliseconds(300))
        await embedded.stop()
    }

    @Test func gracefulShutdownDrainsInFlightRequestsThenClosesTheDatabase() async throws {
        let (folder, db) = try Self.freshDatabase()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = GatewayConfiguration()
        config.port = 0
        let logs = LogCapture()
        let logger = GatewayLogging.makeLogger(configuration: config, sink: logs.sink)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let (answering, answerCalls) = AsyncStream.makeStream(of: Void.self)
        let inference = AnnouncingInference(base: SlowInference(pieces: 5, delay: .milliseconds(120)), calls: answerCalls)
        let server = Task {
            try await runGateway(
                configuration: config, database: db, inference: inference,
                logger: logger, gracefulShutdownSignals: [.sigusr2]
            ) { port in portSink.yield(port) }
        }
        var port = 0
        for await p in ports {
            port = p
            break
        }
        #expect(port > 0)
        let base = "http://127.0.0.1:\(port)"
        let token = try await TokenIssuer(configuration: config, database: db).mint(subject: "dr.ada")
        let inFlight = (0..<4).map { i in
            Task {
                try await Loopback.request(
                    base + "/v1/query", method: "POST", token: token, headers: ["Cache-Control": "no-cache"],
                    body: Loopback.query("question \(i)"))
            }
        }
        // All four are being answered: inference was called four times.
        try await within(.seconds(30), "four requests in flight") {
            var n = 0
            for await _ in answering {
                n += 1
                if n == 4 { break }
            }
        }
        kill(getpid(), SIGUSR2)
        for task in inFlight {
            let r = try await task.value
            #expect(r.status == 200, "in-flight request cut: \(r.body)")
        }
        try await server.value
        // Every answered request was audited before the response, and the database is closed now.
        await #expect(throws: (any Error).self) { try await db.auditRecords() }
        let reopened = try BedsideDatabase(path: folder + "/t.sqlite")
        #expect(try await reopened.auditRecords().count == 4)
        try reopened.close()
        #expect(logs.lines.contains { $0.contains("gateway stopped") })
    }

    @Test func remoteInferenceThroughAnotherGateway() async throws {
        let (backFolder, backDB) = try Self.freshDatabase()
        defer {
            try? backDB.close()
            try? FileManager.default.removeItem(atPath: backFolder)
        }
        let backendInference = ScriptedInference(indexVersion: 4, model: "smollm2")
        let backend = try await EmbeddedGateway.start(
            configuration: GatewayConfiguration(), database: backDB, inference: backendInference, subject: "front")
        let remote = RemoteInferenceService(baseURL: backend.baseURL + "/", token: backend.token, connectTimeout: 1, totalTimeout: 5)
        let front = try await TestGateway.make(inference: remote) {
            $0.circuitFailureThreshold = 2
            $0.statusCacheTTL = 0.001
        }
        defer { front.cleanup() }
        let embeddedFront = try await EmbeddedGateway.start(configuration: front.gateway.configuration, database: front.database, inference: remote)

        let status = try await remote.status()
        #expect(status.indexVersion == 4 && status.model == "smollm2")
        let streamed = try await remote.complete(QueryRequest(question: "What is sepsis?"))
        #expect(streamed.model == "smollm2" && !streamed.cached)
        #expect(backendInference.calls == 1)

        let r = try await Loopback.request(embeddedFront.baseURL + "/v1/query", method: "POST", token: embeddedFront.token, body: Loopback.query())
        #expect(r.status == 200)
        let answer = try WireCoding.decoder().decode(Answer.self, from: Data(r.body.utf8))
        #expect(answer.indexVersion == 4 && answer.model == "smollm2")
        #expect(backendInference.calls == 2)
        // The front asks with no-cache, so the back end really answers each time.
        _ = try await remote.complete(QueryRequest(question: "What is the first-line treatment for sepsis?"))
        #expect(backendInference.calls == 3)

        // Back-end errors come back as BedsideErrors.
        backendInference.mode = .fail(BedsideError(.inferenceUnavailable, "model down"))
        await #expect(throws: BedsideError.self) { try await remote.complete(QueryRequest(question: "new question")) }
        let bad = RemoteInferenceService(baseURL: backend.baseURL, token: "wrong", totalTimeout: 5)
        do {
            _ = try await bad.complete(QueryRequest(question: "x"))
            Issue.record("accepted a bad token")
        } catch let e as BedsideError {
            #expect(e.code == .upstream && e.message.contains("refused"))
        }
        try await bad.shutdown()

        // The back end goes away: the front serves its cache stale, and refuses new questions with 503.
        await backend.stop()
        let stale = try await Loopback.request(
            embeddedFront.baseURL + "/v1/query", method: "POST", token: embeddedFront.token,
            headers: ["Cache-Control": "no-cache"], body: Loopback.query())
        #expect(stale.status == 200 && stale.headers["x-bedside-stale"] == "1")
        let down = try await Loopback.request(
            embeddedFront.baseURL + "/v1/query", method: "POST", token: embeddedFront.token,
            body: Loopback.query("Never asked before"))
        #expect(down.status == 503)
        let ready = try await Loopback.request(embeddedFront.baseURL + "/readyz")
        #expect(ready.status == 503)
        await embeddedFront.stop()
        try await remote.shutdown()
    }
}
