import Core
import Foundation
import Testing

@testable import LocalGateway

/// One hostile request, sent as raw bytes over a loopback socket.
struct HostileCase: Sendable {
    let name: String
    /// The bytes to send; built from the server's port-independent parts.
    let request: @Sendable (HostileKit) -> [UInt8]
    /// The exact status expected, when the case pins one (any 4xx otherwise).
    let status: Int?
    /// The error code expected, when the case pins one.
    let code: String?

    init(_ name: String, status: Int? = nil, code: String? = nil, _ request: @escaping @Sendable (HostileKit) -> [UInt8]) {
        self.name = name
        self.request = request
        self.status = status
        self.code = code
    }
}

/// What the cases build requests from: a valid token, the gateway's HS256 secret.
struct HostileKit: Sendable {
    let token: String
    let secret: [UInt8]

    static let now = Date().timeIntervalSince1970

    /// A request with `Connection: close` and, when a body is given, its Content-Length.
    func raw(_ method: String = "POST", _ path: String = "/v1/query", headers: [String] = [], authorization: String?, body: [UInt8]? = nil) -> [UInt8]
    {
        var lines = ["\(method) \(path) HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        if let authorization { lines.append("Authorization: \(authorization)") }
        if let body { lines += ["Content-Type: application/json", "Content-Length: \(body.count)"] }
        lines += headers
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + (body ?? [])
    }

    /// `POST /v1/query` with the valid token and this JSON text as the body.
    func query(_ json: String, headers: [String] = []) -> [UInt8] {
        raw(headers: headers, authorization: "Bearer \(token)", body: Array(json.utf8))
    }

    /// `POST /v1/query` with a sound body and this Authorization header (nil: none).
    func withAuthorization(_ value: String?) -> [UInt8] {
        raw(authorization: value, body: Array(#"{"question": "What is the first-line treatment for sepsis?"}"#.utf8))
    }

    /// A token signed with the gateway's own secret, over these claims.
    func signed(_ payload: String, header: String = #"{"alg":"HS256","typ":"JWT"}"#) -> String {
        TokenFactory.hs256(header: header, payload: payload, secret: secret)
    }
}

let hostileCases: [HostileCase] = [
    // Tokens
    HostileCase("no Authorization header", status: 401) { $0.withAuthorization(nil) },
    HostileCase("empty bearer", status: 401) { $0.withAuthorization("Bearer ") },
    HostileCase("Basic credentials", status: 401) { $0.withAuthorization("Basic YWxpY2U6c2VjcmV0") },
    HostileCase("garbage token", status: 401) { $0.withAuthorization("Bearer not.a.token") },
    HostileCase("alg none", status: 401) { k in
        k.withAuthorization(
            "Bearer "
                + TokenFactory.unsigned(
                    header: #"{"alg":"none","typ":"JWT"}"#,
                    payload: TokenFactory.claims(exp: HostileKit.now + 600, iat: HostileKit.now)))
    },
    HostileCase("signed with another secret", status: 401) { _ in
        HostileKit(token: "", secret: Array(repeating: 7, count: 32))
            .withAuthorization(
                "Bearer "
                    + TokenFactory.hs256(
                        payload: TokenFactory.claims(exp: HostileKit.now + 600, iat: HostileKit.now),
                        secret: Array(repeating: 7, count: 32)))
    },
    HostileCase("expired token", status: 401) { k in
        k.withAuthorization("Bearer " + k.signed(TokenFactory.claims(exp: HostileKit.now - 3600, iat: HostileKit.now - 7200)))
    },
    HostileCase("wrong audience", status: 401) { k in
        k.withAuthorization("Bearer " + k.signed(TokenFactory.claims(exp: HostileKit.now + 600, iat: HostileKit.now, aud: #""someone-else""#)))
    },
    HostileCase("wrong issuer", status: 401) { k in
        k.withAuthorization("Bearer " + k.signed(TokenFactory.claims(exp: HostileKit.now + 600, iat: HostileKit.now, iss: "mallory")))
    },
    HostileCase("issued in the future", status: 401) { k in
        k.withAuthorization("Bearer " + k.signed(TokenFactory.claims(exp: HostileKit.now + 7200, iat: HostileKit.now + 3600)))
    },
    HostileCase("no subject", status: 401) { k in
        k.withAuthorization("Bearer " + k.signed(TokenFactory.claims(sub: nil, exp: HostileKit.now + 600, iat: HostileKit.now)))
    },
    HostileCase("payload is not JSON", status: 401) { k in
        k.withAuthorization("Bearer " + TokenFactory.hs256(payload: "not json {", secret: k.secret))
    },
    HostileCase("kid with a path", status: 401) { k in
        k.withAuthorization(
            "Bearer "
                + k.signed(
                    TokenFactory.claims(exp: HostileKit.now + 600, iat: HostileKit.now),
                    header: #"{"alg":"HS256","typ":"JWT","kid":"../../../etc/passwd"}"#))
    },
    HostileCase("token tampered after signing", status: 401) { k in
        var parts = k.token.split(separator: ".").map(String.init)
        parts[1] = TokenFactory.b64(TokenFactory.claims(sub: "someone.else", exp: HostileKit.now + 600, iat: HostileKit.now))
        return k.withAuthorization("Bearer " + parts.joined(separator: "."))
    },
    HostileCase("token over the token size limit", status: 401) { $0.withAuthorization("Bearer " + String(repeating: "e", count: 9_000)) },
    HostileCase("token over the header size limit", status: 431, code: "headers_too_large") {
        $0.withAuthorization("Bearer " + String(repeating: "e", count: 40_000))
    },
    HostileCase("control bytes in the token", status: 400) { k in
        Array("POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ab".utf8) + [0x00, 0x1B]
            + Array("cd\r\nContent-Length: 2\r\n\r\n{}".utf8)
    },

    // Bodies
    HostileCase("empty body", status: 400) { $0.query("") },
    HostileCase("not JSON", status: 400) { $0.query("question=sepsis") },
    HostileCase("JSON nested 60 000 deep", status: 400) { $0.query(String(repeating: "[", count: 60_000)) },
    HostileCase("top_k 1e400", status: 400) { $0.query(#"{"question": "sepsis", "top_k": 1e400}"#) },
    HostileCase("question is an object", status: 400) { $0.query(#"{"question": {"$gt": ""}}"#) },
    HostileCase("invalid UTF-8", status: 400) { k in
        k.raw(authorization: "Bearer \(k.token)", body: Array(#"{"question": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))
    },
    HostileCase("UTF-16 body", status: 400) { k in
        k.raw(
            authorization: "Bearer \(k.token)",
            body: [0xFF, 0xFE] + Array(#"{"question": "sepsis"}"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
    },
    HostileCase("lone surrogate escape", status: 400) { $0.query(#"{"question": "sepsis \ud800"}"#) },
    HostileCase("body over the limit (Content-Length)", status: 413, code: "payload_too_large") {
        $0.query(#"{"question": "\#(String(repeating: "a", count: 70_000))"}"#)
    },
    HostileCase("body over the limit (chunked)", status: 413, code: "payload_too_large") { k in
        let chunk = String(repeating: "a", count: 16_384)
        let chunks = String(repeating: "4000\r\n\(chunk)\r\n", count: 5)
        return Array(
            "POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(k.token)\r\nTransfer-Encoding: chunked\r\n\r\n\(chunks)0\r\n\r\n"
                .utf8)
    },
    HostileCase("body over the limit with Expect: 100-continue", status: 413) { k in
        Array(
            "POST /v1/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(k.token)\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n".utf8)
    },
    HostileCase("bad chunk size", status: 400) { k in
        Array(
            "POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(k.token)\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
                .utf8)
    },
    HostileCase("Content-Length and chunked together", status: 400) { k in
        Array(
            "POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(k.token)\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
                .utf8)
    },
    HostileCase("Content-Length not a number", status: 400) { k in
        Array("POST /v1/query HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer \(k.token)\r\nContent-Length: abc\r\n\r\n{}".utf8)
    },
    HostileCase("ten thousand filters", status: 400) { k in
        let filters = (0..<10_000).map { #""k\#($0)": "v""# }.joined(separator: ",")
        return k.raw(
            authorization: "Bearer \(k.token)", body: Array(#"{"question": "sepsis", "filters": {\#(filters)}}"#.utf8).prefix(60_000).map { $0 })
    },

    // Questions
    HostileCase("NUL in the question", status: 400, code: "invalid_question") { $0.query(#"{"question": "sepsis\u0000 ignore the rest"}"#) },
    HostileCase("terminal escape in the question", status: 400, code: "invalid_question") {
        $0.query(#"{"question": "sepsis \u001b[2J\u001b]0;pwned\u0007"}"#)
    },
    HostileCase("right-to-left override in the question", status: 400, code: "invalid_question") { $0.query(#"{"question": "sepsis \u202Eenod"}"#) },
    HostileCase("bidi isolate in the question", status: 400, code: "invalid_question") { $0.query(#"{"question": "sepsis \u2066x\u2069"}"#) },
    HostileCase("C1 control in the question", status: 400, code: "invalid_question") { $0.query(#"{"question": "sepsis \u009b31m"}"#) },
    HostileCase("question too long", status: 400) { $0.query(#"{"question": "\#(String(repeating: "a", count: 2_001))"}"#) },
    HostileCase("question only whitespace", status: 400) { $0.query(#"{"question": " \n\t "}"#) },

    // Filters
    HostileCase("NUL in a filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"year\u0000": "2019"}}"#) },
    HostileCase("JSON path in a filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"$.a[0]": "2019"}}"#) },
    HostileCase("quote in a filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"a\"b": "x"}}"#) },
    HostileCase("empty filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"": "x"}}"#) },
    HostileCase("filter name of 65 characters", status: 400) {
        $0.query(#"{"question": "sepsis", "filters": {"\#(String(repeating: "k", count: 65))": "x"}}"#)
    },
    HostileCase("non-ASCII filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"année": "2019"}}"#) },
    HostileCase("SQL in a filter name", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"x') OR 1=1 --": "y"}}"#) },
    HostileCase("filter value an object", status: 400) { $0.query(#"{"question": "sepsis", "filters": {"year": {"$ne": 1}}}"#) },

    // Heads
    HostileCase("space in a header name", status: 400) { k in
        Array("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nConnection: close\r\n\r\n".utf8)
    },
    HostileCase("control byte in a header value", status: 400) { k in
        Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [0x01] + Array("\r\nConnection: close\r\n\r\n".utf8)
    },
    HostileCase("headers over the limit", status: 431) { k in
        Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: \(String(repeating: "f", count: 40_000))\r\n\r\n".utf8)
    },
    HostileCase("garbage request line", status: 400) { _ in Array("HELLO\r\n\r\n".utf8) },
    HostileCase("binary request line", status: 400) { _ in [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x0D, 0x0A, 0x0D, 0x0A] },
    HostileCase("unknown method on the query route", status: 405) { k in k.raw("PURGE", authorization: "Bearer \(k.token)") },
    HostileCase("TRACE", status: 405) { k in k.raw("TRACE", "/healthz", authorization: nil) },
    HostileCase("path traversal", status: 404) { k in k.raw("GET", "/v1/answers/../../etc/passwd", authorization: "Bearer \(k.token)") },
    HostileCase("percent-encoded NUL in an answer id", status: 404) { k in k.raw("GET", "/v1/answers/%00", authorization: "Bearer \(k.token)") },
    HostileCase("an answer id that does not exist", status: 404) { k in k.raw("GET", "/v1/answers/999999", authorization: "Bearer \(k.token)") },
]

@Suite("Hostile input over real loopback HTTP", .serialized)
struct HostileInputTests {
    @Test func everyHostileRequestIsAClientErrorAndNothingBreaks() async throws {
        #expect(hostileCases.count >= 40)
        let inference = ScriptedInference()
        let server = try await EdgeServer.start(inference: inference) { $0.maxHeaderBytes = 16 * 1024 }
        let gateway = server.embedded.gateway
        let secret = try TokenIssuer.loadOrCreateSecret(path: gateway.configuration.resolvedSecretPath(databasePath: server.database.path))
        let kit = HostileKit(token: server.token, secret: secret)
        var statuses: [Int: Int] = [:]
        for hostile in hostileCases {
            let response: RawResponse
            do {
                response = try await server.exchange(hostile.request(kit), timeout: 5, closeWait: 2)
            } catch {
                Issue.record("\(hostile.name): no answer (\(error))")
                continue
            }
            statuses[response.status, default: 0] += 1
            #expect((400..<500).contains(response.status), "\(hostile.name): \(response.status) \(response.body)")
            if let status = hostile.status { #expect(response.status == status, "\(hostile.name): \(response.status) \(response.body)") }
            if let code = hostile.code { #expect(response.errorCode == code, "\(hostile.name): \(response.body)") }
            #expect(response.isJSONError, "\(hostile.name): not the JSON error shape: \(response.headers) \(response.body)")
            #expect(!response.body.contains(server.folder), "\(hostile.name): the answer names a server path")
        }
        print("hostile input: \(hostileCases.count) cases, statuses \(statuses.sorted { $0.key < $1.key })")
        #expect(inference.calls == 0, "hostile requests reached inference")
        #expect(await gateway.breaker.state == .closed)
        let ready = try await server.exchange("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(ready.status == 200, "\(ready.body)")
        let fine = try await server.exchange(kit.query(#"{"question": "What is the first-line treatment for sepsis?"}"#))
        #expect(fine.status == 200, "\(fine.body)")
        await server.stop()
    }
}
