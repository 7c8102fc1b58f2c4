import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOSSL
import SQLiteStore
import TestSupport
import Testing

@testable import LocalGateway

/// A throwaway CA and a server certificate for localhost and 127.0.0.1 it signed, made with
/// the `openssl` command line in a temporary folder.
struct TestPKI: Sendable {
    let folder: String
    var caPath: String { folder + "/ca.pem" }
    var certificatePath: String { folder + "/server.pem" }
    var keyPath: String { folder + "/server.key" }
    /// A second CA that signed nothing the server uses.
    var otherCAPath: String { folder + "/other-ca.pem" }

    static var opensslAvailable: Bool {
        ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func make() async throws -> TestPKI {
        let folder = try TempDirectory(prefix: "bedside-pki").path
        let pki = TestPKI(folder: folder)
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
            .write(toFile: folder + "/server.ext", atomically: true, encoding: .utf8)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Bedside Test CA"], in: folder)
        try await run(
            ["req", "-x509"] + ec + ["-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Other CA"], in: folder)
        try await run(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], in: folder)
        try await run(
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
                "-days", "2", "-extfile", "server.ext",
            ], in: folder)
        return pki
    }

    static func run(_ arguments: [String], in folder: String) async throws {
        // Awaited without a thread, and killed (the test fails) if it has not finished in a minute.
        let r = try await ChildProcess.run(
            "/bin/sh", ["-c", #"cd "$0" && exec openssl "$@""#, folder] + arguments, timeout: .seconds(60))
        guard r.status == 0 else { throw BedsideError(.internalError, "openssl \(arguments.joined(separator: " ")) failed: \(r.stderr)") }
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

@Suite("TLS: serve --tls-cert/--tls-key with a CA made in the test", .serialized, .enabled(if: TestPKI.opensslAvailable))
struct TLSTests {
    /// Runs `body` with `client`, then shuts the client down whether `body` threw or not.
    static func using(_ client: HTTPClient, _ body: (HTTPClient) async throws -> Void) async throws {
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func client(trusting caPath: String?) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try GatewayTLS.clientConfiguration(caCertificatePath: caPath)
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    static func get(_ client: HTTPClient, _ url: String, token: String? = nil, body: String? = nil) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    @Test func httpsWithTheTestCAAndRefusalsWithout() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await EdgeServer.start { config in
            config.tlsCertificatePath = pki.certificatePath
            config.tlsKeyPath = pki.keyPath
        }
        let base = "https://localhost:\(server.port)"

        // Every client is shut down on the way out, failing or not: an HTTPClient dropped
        // without shutdown() is a fatal error that would end the whole parallel test run.
        do {
            let trusting = try Self.client(trusting: pki.caPath)
            try await Self.using(trusting) { trusting in
                let (health, text) = try await Self.get(trusting, base + "/healthz")
                #expect(health == 200 && text == #"{"status":"ok","version":"\#(BedsideVersion.current)"}"#)
                let (query, answer) = try await Self.get(trusting, base + "/v1/query", token: server.token, body: Loopback.query())
                #expect(query == 200, "\(answer)")
                #expect(answer.contains("antibiotics"))
                let (byIP, _) = try await Self.get(trusting, "https://127.0.0.1:\(server.port)/healthz")
                #expect(byIP == 200)
            }

            // Another CA, or the system's roots: the certificate is not trusted.
            for ca in [pki.otherCAPath, nil] {
                try await Self.using(try Self.client(trusting: ca)) { untrusting in
                    await #expect(throws: (any Error).self) { try await Self.get(untrusting, base + "/healthz") }
                }
            }

            // Plain HTTP to the TLS port gets no HTTP answer.
            let plain = try? await Loopback.request("http://127.0.0.1:\(server.port)/healthz", timeout: .seconds(3))
            #expect(plain == nil || plain?.status != 200)

            // A remote inference node over HTTPS, trusted through its CA file.
            let remote = RemoteInferenceService(baseURL: base, token: server.token, caCertificatePath: pki.caPath)
            do {
                var text2 = ""
                for try await event in remote.answer(QueryRequest(question: "What is the first-line treatment for sepsis?")) {
                    if case .done(let a) = event { text2 = a.answer }
                }
                #expect(text2.contains("antibiotics"))
                try await remote.shutdown()
            } catch {
                try? await remote.shutdown()
                throw error
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aSilentConnectionIsClosedBeforeTheHandshakeCompletes() async throws {
        let pki = try await TestPKI.make()
        defer { pki.remove() }
        let server = try await EdgeServer.start { config in
            config.tlsCertificatePath = pki.certificatePath
            config.tlsKeyPath = pki.keyPath
            config.headerReadTimeout = 1
        }
        let port = server.port
        let started = Date()
        // Half a TLS ClientHello, then nothing.
        let closed = try await RawSocket.run { () -> Bool in
            let socket = try RawSocket(port: port)
            try socket.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
            return socket.waitForClose(timeout: 4)
        }
        #expect(closed)
        // The bound is the point: closed by the 1 s header timeout, well before the 4 s wait ends.
        #expect(Date().timeIntervalSince(started) < 3)
        await server.stop()
    }

    @Test func exposureAndTLSSettingsAreChecked() async throws {
        var config = GatewayConfiguration()
        for host in ["127.0.0.1", "localhost", "::1", "127.1.2.3"] {
            config.host = host
            #expect(throws: Never.self) { try config.validateExposure() }
        }
        for host in ["0.0.0.0", "192.168.1.20", "::", "example.org"] {
            config.host = host
            #expect(throws: BedsideError.self) { try config.validateExposure() }
        }
        config.host = "0.0.0.0"
        config.insecureHTTP = true
        #expect(throws: Never.self) { try config.validateExposure() }
        config.insecureHTTP = false
        config.tlsCertificatePath = "/c.pem"
        #expect(throws: BedsideError.self) { try config.validate() } // no key
        config.tlsKeyPath = "/k.pem"
        #expect(throws: Never.self) { try config.validate() }
        #expect(throws: Never.self) { try config.validateExposure() }

        let env = try GatewayConfiguration(environment: [
            "BEDSIDE_HEADER_TIMEOUT": "3s", "BEDSIDE_BODY_TIMEOUT": "20s", "BEDSIDE_IDLE_TIMEOUT": "2m",
            "BEDSIDE_MAX_CONNECTIONS": "50", "BEDSIDE_MAX_HEADER_BYTES": "16384",
        ])
        #expect(env.headerReadTimeout == 3 && env.bodyReadTimeout == 20 && env.idleTimeout == 120)
        #expect(env.maxConnections == 50 && env.maxHeaderBytes == 16_384)
        #expect(throws: BedsideError.self) { try GatewayConfiguration(environment: ["BEDSIDE_MAX_CONNECTIONS": "0"]) }
        #expect(throws: BedsideError.self) { try GatewayConfiguration(environment: ["BEDSIDE_TLS_CERT": "/only-cert.pem"]) }

        let missing = NSTemporaryDirectory() + "no-such-\(UUID().uuidString).pem"
        #expect(throws: BedsideError.self) { try GatewayTLS.serverConfiguration(certificatePath: missing, keyPath: missing) }
        #expect(throws: BedsideError.self) { try GatewayTLS.clientConfiguration(caCertificatePath: missing) }
    }
}
