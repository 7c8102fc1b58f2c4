import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import TestSupport

/// Plain HTTP over a real loopback socket, through AsyncHTTPClient.
struct LoopbackResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String
}

enum Loopback {
    static func request(
        _ url: String, method: String = "GET", token: String? = nil, headers: [String: String] = [:], body: String? = nil,
        timeout: TimeAmount = .seconds(20)
    ) async throws -> LoopbackResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 4 * 1024 * 1024)
        var h: [String: String] = [:]
        for field in response.headers { h[field.name.lowercased()] = field.value }
        return LoopbackResponse(status: Int(response.status.code), headers: h, body: String(buffer: bytes))
    }

    static func query(_ question: String = "What is the first-line treatment for sepsis?") -> String {
        JSONText.query(question)
    }
}
