import Core
import Foundation
import Logging
import SQLiteStore
import ServiceLifecycle
import Synchronization

@testable import LocalGateway

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `TestGateway` (manual clock, captured log, its own SQLite file) served on a loopback
/// port through the real NIO pipeline: the edge handlers and, when configured, the cached
/// fast path, which Hummingbird's `.router` test mode does not go through.
final class LiveGateway: Sendable {
    let test: TestGateway
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(test: TestGateway, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.test = test
        self.port = port
        self.group = group
        self.task = task
    }

    var clock: ManualClock { test.clock }
    var database: BedsideDatabase { test.database }

    /// Starts the server (rate-limit capacity 10 000 unless `configure` says otherwise) and
    /// returns once it listens.
    static func start(
        inference: any InferenceService, busyTimeout: TimeInterval = 5, configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> LiveGateway {
        let test = try await TestGateway.make(inference: inference, busyTimeout: busyTimeout) { config in
            config.rateLimitCapacity = 10_000
            configure(&config)
        }
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let app = test.gateway.makeApplication { channel in
            sink.yield(channel.localAddress?.port ?? 0)
            sink.finish()
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: GatewayLogging.silent))
        let task = Task {
            defer { sink.finish() }
            try await group.run()
        }
        var bound = 0
        for await p in ports {
            bound = p
            break
        }
        guard bound > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            test.cleanup()
            throw TestError("the live gateway did not start")
        }
        return LiveGateway(test: test, port: bound, group: group, task: task)
    }

    /// Stops the server gracefully (in-flight requests are answered first); the database stays open.
    func shutdown() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Stops the server and removes its database.
    func stop() async {
        await shutdown()
        test.cleanup()
    }

    /// Opens a connection, sends `request` and reads one response (the connection is left to close).
    func exchange(_ request: String, timeout: Double = 10) async throws -> WireResponse {
        let port = port
        let name =
            request.prefix { $0 != "\r\n" }
            + (request.firstRange(of: "X-Request-ID: ").map { " " + request[$0.upperBound...].prefix { $0 != "\r\n" } } ?? "")
        let fast = test.gateway.configuration.cachedFastPath
        return try await WireConnection.run {
            let connection = try WireConnection(port: port)
            try connection.send(request)
            do { return try connection.read(timeout: timeout) } catch {
                throw TestError("\(name) (fast path \(fast ? "on" : "off")): \(error)")
            }
        }
    }

    /// `GET /metrics`, parsed: `name{labels}` → value.
    func metrics() async throws -> [String: Double] {
        let response = try await exchange("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        guard response.status == 200 else { throw TestError("GET /metrics: \(response.status)") }
        var values: [String: Double] = [:]
        for line in response.text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    /// Request log lines of `route`, without the fields that differ from one request to the next (time, latency).
    func requestLogLines(route: String = "/v1/query") -> [[String: String]] {
        test.logs.requests.filter { $0["route"] as? String == route }.map { line in
            var kept: [String: String] = [:]
            for (key, value) in line where key != "ts" && key != "latency_ms" { kept[key] = "\(value)" }
            return kept
        }
    }
}

/// A `POST /v1/query` request's bytes.
func queryRequest(token: String, body: String, headers: [String] = []) -> String {
    let lines =
        [
            "POST /v1/query HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer \(token)", "Content-Type: application/json",
            "Content-Length: \(body.utf8.count)",
        ] + headers
    return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
}

/// A `GET` request's bytes.
func getRequest(_ path: String, token: String, headers: [String] = []) -> String {
    (["GET \(path) HTTP/1.1", "Host: 127.0.0.1", "Authorization: Bearer \(token)"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
}

/// A response read off the wire with its header fields as sent: in order, duplicates kept.
struct WireResponse: Sendable {
    var status: Int
    /// Names lowercased.
    var fields: [WireField]
    var body: [UInt8]

    struct WireField: Sendable, Hashable {
        var name: String
        var value: String
    }

    func header(_ name: String) -> String? { fields.first { $0.name == name.lowercased() }?.value }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var answerID: String? { json?["answer_id"] as? String }

    /// Every field but `Date`, as `name: value`, sorted (field order carries no meaning).
    var comparableFields: [String] { fields.filter { $0.name != "date" }.map { "\($0.name): \($0.value)" }.sorted() }
}

/// A blocking loopback connection that reads HTTP/1.1 responses (Content-Length, chunked or
/// up to EOF) one after another, keeping the header fields as sent. Blocking: call it
/// inside `WireConnection.run`.
final class WireConnection: Sendable {
    private let socket: RawSocket
    /// Bytes received and not yet read; uncontended (one thread at a time, like `RawSocket`).
    private let reader: Mutex<Reader>

    init(port: Int) throws {
        socket = try RawSocket(port: port)
        reader = Mutex(Reader(fd: socket.fd))
    }

    /// Runs blocking work on a thread of its own (`RawSocket.run`).
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try await RawSocket.run(body) }

    func send(_ text: String) throws { try socket.send(text) }

    /// Closes the write side (the server sees EOF after what was sent).
    func shutdownWrite() { socket.shutdownWrite() }

    /// This end's port.
    var localPort: Int {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.fd, $0, &length) }
        }
        return rc == 0 ? Int(UInt16(bigEndian: addr.sin_port)) : 0
    }

    /// Bytes this connection sent that the server's socket holds unread (Linux
    /// `/proc/net/tcp`); nil when that cannot be told. 0 means the server has read
    /// everything sent so far.
    func unreadByServer(serverPort: Int) -> Int? {
        // Read to the end: the file's size is 0, and a one-shot read may stop at the first page.
        guard let file = FileHandle(forReadingAtPath: "/proc/net/tcp"), let data = try? file.readToEnd() else { return nil }
        try? file.close()
        let table = String(decoding: data, as: UTF8.self)
        func endpoint(_ port: Int) -> String {
            let hex = String(port, radix: 16, uppercase: true)
            return "0100007F:" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        let (local, remote) = (endpoint(serverPort), endpoint(localPort))
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[1] == local, fields[2] == remote else { continue }
            let queues = fields[4].split(separator: ":")
            return queues.count == 2 ? Int(queues[1], radix: 16) : nil
        }
        return nil
    }

    /// Reads one whole response; throws when it does not arrive within `timeout` seconds.
    func read(timeout: Double = 10) throws -> WireResponse { try reader.withLock { try $0.read(timeout: timeout) } }

    /// True when the server closes the connection within `timeout` seconds (what arrives meanwhile is kept).
    func closed(within timeout: Double) -> Bool { reader.withLock { $0.closed(within: timeout) } }

    /// The connection's read side: the bytes received and not yet read, and whether EOF came.
    struct Reader {
        let fd: Int32
        var pending: [UInt8] = []
        var sawEOF = false

        /// Reads one whole response; throws when it does not arrive within `timeout` seconds.
        mutating func read(timeout: Double = 10) throws -> WireResponse {
            let deadline = Date().addingTimeInterval(timeout)
            let headEnd = try fill(until: deadline) { RawSocket.find([13, 10, 13, 10], in: $0) }
            let head = String(decoding: pending[0..<headEnd], as: UTF8.self)
            pending.removeFirst(headEnd + 4)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestError("bad status line in \(head)") }
            let fields = lines.compactMap { line -> WireResponse.WireField? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return .init(name: line[..<colon].lowercased(), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            var response = WireResponse(status: status, fields: fields, body: [])
            if let length = response.header("content-length").flatMap(Int.init) {
                _ = try fill(until: deadline) { $0.count >= length ? length : nil }
                response.body = Array(pending[0..<length])
                pending.removeFirst(length)
            } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
                while true {
                    let lineEnd = try fill(until: deadline) { RawSocket.find([13, 10], in: $0) }
                    let sizeText = String(decoding: pending[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                    guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                        throw TestError("bad chunk size \(sizeText)")
                    }
                    pending.removeFirst(lineEnd + 2)
                    _ = try fill(until: deadline) { $0.count >= size + 2 ? size : nil }
                    response.body += pending[0..<size]
                    pending.removeFirst(size + 2)
                    if size == 0 { break } // no trailers are sent by the gateway
                }
            } else {
                while !sawEOF { guard receive(until: deadline) else { throw TestError("no EOF within \(timeout) s") } }
                response.body = pending
                pending = []
            }
            return response
        }

        /// True when the server closes the connection within `timeout` seconds (what arrives meanwhile is kept).
        mutating func closed(within timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while !sawEOF { guard receive(until: deadline) else { return false } }
            return true
        }

        /// Receives until `found` says where what it waits for ends.
        private mutating func fill(until deadline: Date, _ found: ([UInt8]) -> Int?) throws -> Int {
            while true {
                if let at = found(pending) { return at }
                guard !sawEOF else { throw TestError("EOF with \(pending.count) bytes of an incomplete response") }
                guard receive(until: deadline) else { throw TestError("response incomplete at the deadline (\(pending.count) bytes)") }
            }
        }

        /// Receives some bytes (or the EOF); false when the deadline passed first.
        private mutating func receive(until deadline: Date) -> Bool {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { return false }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                sawEOF = true
            } else {
                pending += buffer[0..<n]
            }
            return true
        }
    }
}
