import Foundation
import TestSupport
import Testing

/// The admin commands as people expect them (issue 21, item 6): a busy port in one line that
/// names it, token files nobody else can read, a token table with headers, one "listening" line.
@Suite("Admin commands")
struct AdminCommandTests {
    @Test("serve on a busy port says so in one line naming host and port")
    func busyPort() async throws {
        let s = try Scratch(prefix: "bedside-busy-port")
        defer { s.cleanup() }
        let first = try await ServerProcess.start(["--db", s.file("a.sqlite")])
        defer { first.kill() }
        let port = try #require(first.url.split(separator: ":").last.map(String.init))
        let second = try await Bin.run(["serve", "--db", s.file("b.sqlite"), "--port", port])
        #expect(second.status != 0)
        let said = second.stdout + second.stderr
        #expect(said.contains("Cannot listen on 127.0.0.1:\(port): the port is already in use"), "\(said)")
        #expect(!said.contains("bind(descriptor"), "\(said)")
        let errors = second.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("Error:") }
        #expect(errors.count == 1, "\(second.stderr)")
    }

    @Test("serve logs one listening line")
    func oneListeningLine() async throws {
        let s = try Scratch(prefix: "bedside-listening")
        defer { s.cleanup() }
        let server = try await ServerProcess.start(["--db", s.file("a.sqlite")])
        defer { server.kill() }
        let lines = server.output.split(separator: "\n").filter { $0.localizedCaseInsensitiveContains("listening") }
        #expect(lines.count == 1, "\(server.output)")
    }

    @Test("token create --out writes a 0600 file and never overwrites one")
    func tokenCreateOut() async throws {
        let s = try Scratch(prefix: "bedside-token-out")
        defer { s.cleanup() }
        let db = s.file("t.sqlite")
        let file = s.file("alice.token")
        let made = try await Bin.run(["token", "create", "--db", db, "--subject", "alice", "--out", file])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.isEmpty, "the token is not printed: \(made.stdout)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let token = try String(contentsOfFile: file, encoding: .utf8)
        #expect(token.split(separator: ".").count == 3, "a JWT: \(token)")

        let again = try await Bin.run(["token", "create", "--db", db, "--subject", "alice", "--out", file])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == token, "the first token is kept")
    }

    @Test("token create > FILE leaves the file 0600 under umask 022")
    func tokenCreateRedirected() async throws {
        let s = try Scratch(prefix: "bedside-token-redirect")
        defer { s.cleanup() }
        let file = s.file("bob.token")
        var environment = Bin.environment([:])
        environment["NO_COLOR"] = "1"
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", "umask 022; exec \"$0\" token create --db \"$1\" --subject bob > \"$2\"", Bin.path, s.file("t.sqlite"), file],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("token list has a header row")
    func tokenListHeaders() async throws {
        let s = try Scratch(prefix: "bedside-token-list")
        defer { s.cleanup() }
        let db = s.file("t.sqlite")
        _ = try await Bin.run(["token", "create", "--db", db, "--subject", "alice"])
        _ = try await Bin.run(["token", "create", "--db", db, "--subject", "compliance", "--role", "auditor"])
        let list = try await Bin.run(["token", "list", "--db", db])
        #expect(list.status == 0, "\(list.stderr)")
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(list.stdout)")
        #expect(lines.first.map { $0.hasPrefix("ID") && $0.contains("SUBJECT") && $0.contains("STATE") && $0.contains("EXPIRES") } == true)
        #expect(lines.contains { $0.contains("compliance") && $0.contains("auditor") && $0.contains("active") })
        let json = try await Bin.run(["token", "list", "--db", db, "--json"])
        #expect(json.stdout.contains("\"subject\""), "\(json.stdout)")
    }
}
