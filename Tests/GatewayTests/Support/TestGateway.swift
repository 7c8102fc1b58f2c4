import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLiteStore
@_exported import TestSupport

@testable import LocalGateway

/// Collects log lines in memory.
final class LogCapture: Sendable {
    private let captured = Locked<[String]>([])
    var lines: [String] { captured.current }
    var sink: LogSink { LogSink { line in self.captured.withLock { $0.append(line) } } }

    /// Request log lines parsed as JSON objects.
    var requests: [[String: Any]] {
        lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["msg"] as? String == "request" }
    }
}

/// A gateway over a real SQLite file in a fresh temporary folder.
struct TestGateway: Sendable {
    let folder: String
    let database: BedsideDatabase
    let gateway: Gateway
    let clock: ManualClock
    let logs: LogCapture

    static func make(
        inference: any InferenceService, clock: ManualClock = ManualClock(), busyTimeout: TimeInterval = 5,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> TestGateway {
        let folder = try TempDirectory(prefix: "bedside-gw").path
        let database = try BedsideDatabase(path: folder + "/t.sqlite", busyTimeout: busyTimeout)
        var config = GatewayConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.inferenceTimeout = 5
        configure(&config)
        let logs = LogCapture()
        let logger = GatewayLogging.makeLogger(configuration: config, sink: logs.sink)
        let gateway = try await Gateway(configuration: config, database: database, inference: inference, logger: logger, clock: clock.gatewayClock)
        return TestGateway(folder: folder, database: database, gateway: gateway, clock: clock, logs: logs)
    }

    var app: some ApplicationProtocol { gateway.makeApplication() }

    func token(_ subject: String = "dr.ada", ttl: TimeInterval = 7 * 86_400) async throws -> String {
        try await gateway.issuer.mint(subject: subject, ttl: ttl)
    }

    func cleanup() {
        try? database.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

extension HTTPFields {
    static func bearer(_ token: String, _ extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
        var h: HTTPFields = [.authorization: "Bearer \(token)"]
        for (k, v) in extra { h[k] = v }
        return h
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
    }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try WireCoding.decoder().decode(type, from: Data(body.readableBytesView))
    }
    var errorCode: String? { (try? json())?["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } }
    var errorMessage: String? { (try? json())?["error"].flatMap { ($0 as? [String: Any])?["message"] as? String } }
}

func queryBody(_ question: String = "What is the first-line treatment for sepsis?", topK: Int? = nil) -> ByteBuffer {
    ByteBuffer(string: JSONText.query(question, topK: topK))
}

extension HTTPField.Name {
    static let xCache = Self("X-Bedside-Cache")!
    static let xStale = Self("X-Bedside-Stale")!
    static let warningHeader = Self("Warning")!
    static let rateLimitHeader = Self("RateLimit")!
    static let rateLimitPolicyHeader = Self("RateLimit-Policy")!
    static let xRequestID = Self("X-Request-ID")!
}
