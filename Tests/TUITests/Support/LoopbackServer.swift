import Foundation
import NIOCore
import NIOPosix

/// A tiny HTTP/1.1 server on 127.0.0.1 for testing `GatewayClient` over a real socket:
/// one request per connection, answered by a closure, then the connection closes.
/// Bodies can be sent in several writes to exercise streaming.
final class LoopbackServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [String: String] // lowercased names
        var body: String
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        /// Written one after another, with a flush and a short pause between them.
        var chunks: [String] = []

        static func json(_ status: Int, _ body: String) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")], chunks: [body])
        }
    }

    let port: Int
    private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let task: Task<Void, Never>
    private let log: RequestLog

    private init(
        port: Int, channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, task: Task<Void, Never>,
        log: RequestLog
    ) {
        self.port = port
        self.channel = channel
        self.task = task
        self.log = log
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far, in order.
    func requests() async -> [Request] { await log.all }

    static func start(_ handler: @escaping @Sendable (Request) -> Response) async throws -> LoopbackServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        let port = channel.channel.localAddress?.port ?? 0
        let log = RequestLog()
        let task = Task<Void, Never> {
            _ = try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { try? await serve(connection, handler, log) }
                    }
                }
            }
        }
        return LoopbackServer(port: port, channel: channel, task: task, log: log)
    }

    func stop() async {
        try? await channel.channel.close()
        task.cancel()
    }

    private static func serve(
        _ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
        _ handler: @Sendable (Request) -> Response, _ log: RequestLog
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var bytes: [UInt8] = []
            var request: Request?
            for try await buffer in inbound {
                bytes += buffer.readableBytesView
                if let r = parse(bytes) {
                    request = r
                    break
                }
            }
            guard let request else { return }
            await log.append(request)
            let response = handler(request)
            var head = "HTTP/1.1 \(response.status) Status\r\nConnection: close\r\n"
            for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
            if response.chunks.count <= 1 { head += "Content-Length: \(response.chunks.first?.utf8.count ?? 0)\r\n" }
            head += "\r\n"
            try await outbound.write(ByteBuffer(string: head))
            for (i, chunk) in response.chunks.enumerated() {
                if i > 0 { try await Task.sleep(for: .milliseconds(5)) } // pacing is the point: chunks that arrive apart
                try await outbound.write(ByteBuffer(string: chunk))
            }
        }
    }

    /// Parses a complete request (headers and Content-Length body), or nil when more bytes are needed.
    private static func parse(_ bytes: [UInt8]) -> Request? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...(max(0, bytes.count - 4))).first(where: { bytes.count >= 4 && Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = end + 4
        guard bytes.count >= bodyStart + length else { return nil }
        return Request(
            method: String(requestLine.first ?? ""), target: requestLine.count > 1 ? String(requestLine[1]) : "",
            headers: headers, body: String(decoding: bytes[bodyStart..<bodyStart + length], as: UTF8.self))
    }
}

/// Requests seen by the server, shared between connections.
actor RequestLog {
    private(set) var all: [LoopbackServer.Request] = []

    func append(_ r: LoopbackServer.Request) {
        all.append(r)
    }
}
