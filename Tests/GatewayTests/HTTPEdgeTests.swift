import Core
import Foundation
import Logging
import SQLiteStore
import TestSupport
import Testing

@testable import LocalGateway

/// A gateway on loopback with its own temporary database, for raw-socket tests.
struct EdgeServer: Sendable {
    let folder: String
    let database: BedsideDatabase
    let embedded: EmbeddedGateway
    var port: Int { embedded.port }
    var token: String { embedded.token }

    static func start(
        inference: any InferenceService = ScriptedInference(),
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> EdgeServer {
        let folder = try TempDirectory(prefix: "bedside-edge").path
        let database = try BedsideDatabase(path: folder + "/t.sqlite")
        var config = GatewayConfiguration()
        config.rateLimitCapacity = 10_000
        config.inferenceTimeout = 5
        configure(&config)
        let embedded = try await EmbeddedGateway.start(configuration: config, database: database, inference: inference, subject: "dr.ada")
        return EdgeServer(folder: folder, database: database, embedded: embedded)
    }

    func stop() async {
        await embedded.stop()
        try? database.close()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Opens a raw socket, sends `request`, and reads one response (then waits for the close).
    func exchange(_ request: [UInt8], timeout: Double = 5, closeWait: Double = 3) async throws -> RawResponse {
        let port = port
        return try await RawSocket.run {
            let socket = try RawSocket(port: port)
            try socket.send(request)
            return try socket.readResponse(timeout: timeout, closeWait: closeWait)
        }
    }

    func exchange(_ request: String, timeout: Double = 5, closeWait: Double = 3) async throws -> RawResponse {
        try await exchange(Array(request.utf8), timeout: timeout, closeWait: closeWait)
    }

    /// The head of `POST /v1/query` with this server's token and extra header lines.
    func queryHead(_ headers: [String]) -> String {
        (["POST /v1/query HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer \(token)", "Content-Type: application/json"] + headers)
            .joined(separator: "\r\n") + "\r\n\r\n"
    }
}

/// One way of sending a body over the 64 KiB limit.
struct OversizedFraming: Sendable, CustomTestStringConvertible {
    let name: String
    /// Extra header lines.
    let headers: [String]
    let chunked: Bool
    /// Send the whole declared body before reading (as Python's urllib does).
    let sendAllFirst: Bool
    /// Send only the head (the client waits for 100 Continue or an early answer).
    let headOnly: Bool
    var testDescription: String { name }
}

let oversizedFramings: [OversizedFraming] = [
    OversizedFraming(
        name: "Content-Length 10 MB, Connection: close, whole body sent first", headers: ["Content-Length: 10000000", "Connection: close"],
        chunked: false, sendAllFirst: true, headOnly: false),
    OversizedFraming(
        name: "Content-Length 10 MB, Connection: close, 256 KiB sent then read", headers: ["Content-Length: 10000000", "Connection: close"],
        chunked: false, sendAllFirst: false, headOnly: false),
    OversizedFraming(
        name: "Content-Length 10 MB, keep-alive, whole body sent first", headers: ["Content-Length: 10000000"],
        chunked: false, sendAllFirst: true, headOnly: false),
    OversizedFraming(
        name: "Content-Length 10 MB, keep-alive, 256 KiB sent then read", headers: ["Content-Length: 10000000"],
        chunked: false, sendAllFirst: false, headOnly: false),
    OversizedFraming(
        name: "Content-Length 10 MB, Expect: 100-continue, head only", headers: ["Content-Length: 10000000", "Expect: 100-continue"],
        chunked: false, sendAllFirst: false, headOnly: true),
    OversizedFraming(
        name: "Content-Length 10 MB, Expect: 100-continue, Connection: close, head only",
        headers: ["Content-Length: 10000000", "Expect: 100-continue", "Connection: close"], chunked: false, sendAllFirst: false, headOnly: true),
    OversizedFraming(
        name: "chunked, Connection: close, 256 KiB sent then read", headers: ["Transfer-Encoding: chunked", "Connection: close"],
        chunked: true, sendAllFirst: false, headOnly: false),
    OversizedFraming(
        name: "chunked, keep-alive, 256 KiB sent then read", headers: ["Transfer-Encoding: chunked"],
        chunked: true, sendAllFirst: false, headOnly: false),
    OversizedFraming(
        name: "chunked, keep-alive, 4 MB sent first", headers: ["Transfer-Encoding: chunked"],
        chunked: true, sendAllFirst: true, headOnly: false),
    OversizedFraming(
        name: "chunked, Expect: 100-continue, body sent anyway", headers: ["Transfer-Encoding: chunked", "Expect: 100-continue"],
        chunked: true, sendAllFirst: false, headOnly: false),
]

@Suite("HTTP edge: oversized, malformed and stalled requests over raw loopback sockets", .serialized)
struct HTTPEdgeTests {
    @Test("an oversized body gets 413 JSON at once, then the connection closes", arguments: oversizedFramings)
    func oversizedBody(_ framing: OversizedFraming) async throws {
        let server = try await EdgeServer.start()
        let head = server.queryHead(framing.headers)
        let port = server.port
        let started = Date()
        let response = try await RawSocket.run { () -> RawResponse in
            let socket = try RawSocket(port: port)
            try socket.send(head)
            if !framing.headOnly {
                let total = framing.sendAllFirst ? (framing.chunked ? 4_000_000 : 10_000_000) : 256 * 1024
                let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 16 * 1024)
                var sent = 0
                while sent < total {
                    var bytes = piece
                    if framing.chunked { bytes = Array("\(String(piece.count, radix: 16))\r\n".utf8) + piece + [13, 10] }
                    // The server may close its side once it has answered; later writes may then fail.
                    do { try socket.send(bytes) } catch { break }
                    sent += piece.count
                }
            }
            return try socket.readResponse(timeout: 5, closeWait: 3)
        }
        let total = Date().timeIntervalSince(started)
        #expect(response.status == 413, "\(framing.name): \(response.status) \(response.body)")
        #expect(response.errorCode == "payload_too_large")
        #expect(response.isJSONError)
        #expect(response.headers["connection"]?.lowercased() == "close")
        // With the whole body sent first, the time the client itself takes to push 10 MB through
        // loopback (seconds on a loaded machine) is not the gateway's: the answer must be there
        // soon after the client starts to read. Otherwise, soon after the start. A gateway that
        // waited for the rest of the body would answer only at its 30 s body timeout; 5 s tells
        // the two apart on a loaded 2-core machine (1 s did not: 1.3 s was seen in CI).
        let answeredIn = framing.sendAllFirst ? response.elapsed : total
        #expect(answeredIn < 5.0, "\(framing.name): answered after \(answeredIn) s (exchange \(total) s)")
        #expect(total < 15, "\(framing.name): the exchange took \(total) s")
        #expect(response.closed, "\(framing.name): the connection stayed open")
        await server.stop()
    }

    @Test func badChunkSizeAndTruncatedChunkedBodyAre400() async throws {
        let server = try await EdgeServer.start()
        let head = server.queryHead(["Transfer-Encoding: chunked"])
        let badSize = try await server.exchange(head + "zz\r\nabc\r\n0\r\n\r\n")
        #expect(badSize.status == 400, "\(badSize.body)")
        #expect(badSize.errorCode == "bad_request" && badSize.isJSONError)
        #expect(badSize.closed)

        let port = server.port
        let truncated = try await RawSocket.run { () -> RawResponse in
            let socket = try RawSocket(port: port)
            try socket.send(head + "10\r\n{\"question\": \"se")
            socket.shutdownWrite()
            return try socket.readResponse()
        }
        #expect(truncated.status == 400, "\(truncated.body)")
        #expect(truncated.errorCode == "bad_request" && truncated.isJSONError)
        #expect(truncated.closed)

        let lengthTooShort = try await RawSocket.run { () -> RawResponse in
            let socket = try RawSocket(port: port)
            try socket.send(server.queryHead(["Content-Length: 500"]) + #"{"question": "sepsis"}"#)
            socket.shutdownWrite()
            return try socket.readResponse()
        }
        #expect(lengthTooShort.status == 400, "\(lengthTooShort.body)")
        #expect(lengthTooShort.isJSONError)
        await server.stop()
    }

    @Test func malformedHeadsAreAnsweredAsJSON() async throws {
        let server = try await EdgeServer.start { $0.maxHeaderBytes = 16 * 1024 }
        let huge = try await server.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: \(String(repeating: "a", count: 40_000))\r\n\r\n")
        #expect(huge.status == 431)
        #expect(huge.errorCode == "headers_too_large" && huge.isJSONError)
        #expect(huge.closed)

        let hugeToken = try await server.exchange(
            "GET /v1/history HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(String(repeating: "e", count: 20_000))\r\n\r\n")
        #expect(hugeToken.status == 431 && hugeToken.isJSONError)

        let badName = try await server.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n")
        #expect(badName.status == 400 && badName.errorCode == "bad_request" && badName.isJSONError)

        let controlInValue = try await server.exchange(
            Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [0x01, 0x7F, 0x00] + Array("b\r\n\r\n".utf8))
        #expect(controlInValue.status == 400 && controlInValue.isJSONError)

        let badRequestLine = try await server.exchange("GARBAGE\r\n\r\n")
        #expect(badRequestLine.status == 400 && badRequestLine.isJSONError)

        let badLength = try await server.exchange("POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
        #expect(badLength.status == 400 && badLength.isJSONError)

        let twoLengths = try await server.exchange("POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        #expect(twoLengths.status == 400 && twoLengths.isJSONError)

        // The gateway still answers normally afterwards.
        let ok = try await server.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(ok.status == 200)
        await server.stop()
    }

    @Test func stalledHeadAndBodyGet408AndAreClosed() async throws {
        let server = try await EdgeServer.start {
            $0.headerReadTimeout = 1
            $0.bodyReadTimeout = 1
        }
        let port = server.port
        let head = server.queryHead(["Content-Length: 100"])
        let started = Date()
        async let stalledHead = RawSocket.run { () -> RawResponse in
            let socket = try RawSocket(port: port)
            try socket.send("POST /v1/query HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            return try socket.readResponse(timeout: 4)
        }
        async let stalledBody = RawSocket.run { () -> RawResponse in
            let socket = try RawSocket(port: port)
            try socket.send(head + #"{"question": "#)
            return try socket.readResponse(timeout: 4)
        }
        let (h, b) = try await (stalledHead, stalledBody)
        let elapsed = Date().timeIntervalSince(started)
        for r in [h, b] {
            #expect(r.status == 408, "\(r.body)")
            #expect(r.errorCode == "request_timeout" && r.isJSONError)
            #expect(r.closed)
        }
        // The bound is the point: the 1 s read timeouts fired, not an immediate close (the upper
        // side is readResponse's 4 s limit, generous beside the 1 s timeouts).
        #expect(elapsed > 0.9, "closed after \(elapsed) s")
        await server.stop()
    }

    @Test func idleKeepAliveConnectionsAreClosedAndBusyOnesKept() async throws {
        let server = try await EdgeServer.start {
            $0.idleTimeout = 1
            $0.headerReadTimeout = 1
        }
        let port = server.port
        let result = try await RawSocket.run { () -> (Int, Int, Bool, Bool) in
            let socket = try RawSocket(port: port)
            try socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try socket.readKeepAliveResponse()
            try socket.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let second = try socket.readKeepAliveResponse()
            let closedEarly = socket.waitForClose(timeout: 0.5)
            let closedLater = socket.waitForClose(timeout: 2.5)
            return (first.status, second.status, closedEarly, closedLater)
        }
        #expect(result.0 == 200 && result.1 == 200)
        #expect(!result.2, "a kept-alive connection was closed before the idle timeout")
        #expect(result.3, "an idle connection stayed open past the idle timeout")
        // A connection that never sends anything is closed after the header timeout, without an answer.
        let silentClosed = try await RawSocket.run { try RawSocket(port: port).waitForClose(timeout: 3) }
        #expect(silentClosed)
        await server.stop()
    }

    @Test func connectionsOverTheCapGet503() async throws {
        let server = try await EdgeServer.start { $0.maxConnections = 3 }
        let port = server.port
        let (status, code, closed) = try await RawSocket.run { () -> (Int, String?, Bool) in
            let held = try (0..<3).map { _ in try RawSocket(port: port) }
            for s in held {
                try s.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = try s.readKeepAliveResponse()
            }
            let extra = try RawSocket(port: port)
            try? extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try extra.readResponse()
            _ = held.map { $0.shutdownWrite() }
            for s in held { _ = s.waitForClose(timeout: 3) }
            return (r.status, r.errorCode, r.closed)
        }
        // Accepted again once the server has noticed the closes on its event loops: that is the event waited for.
        let afterwards = try await Poll.until("a connection accepted once the held ones closed", timeout: .seconds(10), every: .milliseconds(20)) {
            () -> Int? in
            let status = try await server.exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status
            return status == 200 ? status : nil
        }
        #expect(status == 503)
        #expect(code == "too_many_connections")
        #expect(closed)
        #expect(afterwards == 200)
        await server.stop()
    }

    @Test func keepAliveRequestsStillShareAConnection() async throws {
        let server = try await EdgeServer.start()
        let port = server.port
        let body = #"{"question": "What is the first-line treatment for sepsis?"}"#
        let head = server.queryHead(["Content-Length: \(body.utf8.count)"])
        let statuses = try await RawSocket.run { () -> [Int] in
            let socket = try RawSocket(port: port)
            var out: [Int] = []
            for _ in 0..<3 {
                try socket.send(head + body)
                let r = try socket.readKeepAliveResponse()
                #expect(r.headers["connection"]?.lowercased() != "close")
                out.append(r.status)
            }
            return out
        }
        #expect(statuses == [200, 200, 200])
        await server.stop()
    }

    /// What happened to a wave of stalled connections.
    struct StallWave {
        var statuses: [Int]
        var open: Int
        var latest: Double
        /// `/healthz` while the stalled connections are open, after the burst that opened them.
        var healthz: [Double]
        /// `/healthz` sent right behind the burst of new connections.
        var burst: Double
    }

    /// Opens `count` connections that stall, half mid-body (16 KiB of a declared 64 KiB) and
    /// half mid-head, probes `/healthz` on fresh connections until they are all answered,
    /// and reads what each stalled connection got.
    static func stallWave(_ server: EdgeServer, count: Int, timeout: Double, probing probes: Bool = true) async throws -> StallWave {
        let port = server.port
        let head = server.queryHead(["Content-Length: 65536"])
        let stalled = try await RawSocket.run { () -> [RawSocket] in
            try (0..<count).map { i in
                let socket = try RawSocket(port: port)
                if i.isMultiple(of: 2) {
                    try socket.send(head + #"{"question": ""# + String(repeating: "a", count: 16 * 1024))
                } else {
                    try socket.send("POST /v1/query HTTP/1.1\r\nHost: x\r\nX-Filler: " + String(repeating: "b", count: 8 * 1024))
                }
                return socket
            }
        }
        let stalledAt = Date()
        // Timed from the connect on the probing thread: the wait for a free GCD thread in this
        // test process (one is blocked reading the 300 sockets) is not the gateway's latency.
        @Sendable func probe() async throws -> Double {
            let (status, took) = try await RawSocket.run { () -> (Int, Double) in
                let t0 = Date()
                let s = try RawSocket(port: port)
                try s.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                let status = try s.readResponse(timeout: 2, closeWait: 0).status
                return (status, Date().timeIntervalSince(t0))
            }
            return status == 200 ? took : 99
        }
        // The first probe queues behind the burst of new connections (it is reported apart).
        let burst = try await probe()
        let probing = Task.detached { () -> [Double] in
            var latencies: [Double] = []
            while probes, Date().timeIntervalSince(stalledAt) < timeout + 1 {
                latencies.append(try await probe())
                try await Task.sleep(for: .milliseconds(100)) // the pacing is the point: /healthz sampled over the stall
            }
            return latencies
        }
        let outcomes = try await RawSocket.run { () -> [(Int, Bool, Double)] in
            stalled.map { s in
                guard let r = try? s.readResponse(timeout: timeout + 3, closeWait: 2) else { return (0, false, 0) }
                return (r.status, r.closed, Date().timeIntervalSince(stalledAt))
            }
        }
        let healthz = try await probing.value
        return StallWave(
            statuses: outcomes.map(\.0), open: outcomes.filter { !$0.1 }.count, latest: outcomes.map(\.2).max() ?? 0, healthz: healthz,
            burst: burst)
    }

    /// 300 connections stall mid-head or mid-body: all get 408 and are closed after the read
    /// timeout, `/healthz` keeps answering fast, and memory returns to where it was. Two
    /// waves warm the process up first (malloc arenas of the event-loop, GCD and test threads
    /// grow over the first waves and then level off: 6 waves measured 88.7, 94.7, 99.6, 102.4,
    /// 104.8, 104.9 MB); the third is measured, so that a leak per stalled connection shows.
    @Test func threeHundredStalledConnections() async throws {
        let timeout = 2.0
        let server = try await EdgeServer.start {
            $0.headerReadTimeout = timeout
            $0.bodyReadTimeout = timeout
        }
        let cold = residentBytes()
        var warmUp: [StallWave] = []
        for _ in 0..<2 {
            let w = try await Self.stallWave(server, count: 300, timeout: timeout, probing: false)
            #expect(w.statuses.allSatisfy { $0 == 408 })
            warmUp.append(w)
        }
        // The pause is the point (a measurement): RSS read once freed memory is back; nothing signals that.
        try await Task.sleep(for: .milliseconds(200))
        let before = residentBytes()
        let wave = try await Self.stallWave(server, count: 300, timeout: timeout)
        try await Task.sleep(for: .milliseconds(200)) // as above
        let after = residentBytes()
        print(
            "stalled connections: RSS cold \(cold >> 10) KiB, after warm-up wave \(before >> 10) KiB, after measured wave \(after >> 10) KiB; "
                + "healthz max \(Int((wave.healthz.max() ?? 0) * 1000)) ms over \(wave.healthz.count) probes, behind the burst \(Int(wave.burst * 1000)) ms "
                + "(warm-up waves, burst only: \(warmUp.map { "\(Int($0.burst * 1000)) ms" })); "
                + "last 408 after \(wave.latest) s")
        #expect(wave.statuses.allSatisfy { $0 == 408 }, "statuses: \(Dictionary(grouping: wave.statuses, by: { $0 }).mapValues(\.count))")
        #expect(wave.open == 0, "\(wave.open) connections stayed open")
        #expect(wave.latest < timeout + 1.5, "the last stalled connection was answered after \(wave.latest) s")
        // While the server is still setting up the burst of 300 new connections (a few hundred
        // ms on 2 cores), a probe can wait behind it; that burst is bounded and reported apart.
        // Once they are open and stalled, /healthz must answer in under 50 ms throughout.
        let settling = Array(wave.healthz.prefix { $0 >= 0.05 })
        let held = wave.healthz.dropFirst(settling.count)
        #expect(settling.count <= 3 && settling.allSatisfy { $0 < 1.0 }, "healthz while the burst was being accepted (s): \(settling)")
        #expect(held.count >= 8 && held.allSatisfy { $0 < 0.05 }, "healthz latencies (s): \(wave.healthz)")
        #expect(after - before < 10 << 20, "RSS grew by \((after - before) >> 20) MB (before \(before >> 20) MB, after \(after >> 20) MB)")
        await server.stop()
    }
}
