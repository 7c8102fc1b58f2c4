import Foundation
import TestSupport
import Testing

/// Issue 19 finding 6: a URL password holding `/ # ? @ :` or a space never reaches stdout or
/// stderr, through every command that shows a URL or refuses one: `config`, `doctor`,
/// `serve`, `token`, `audit` and config-file errors.
@Suite("Secrets never printed")
struct SecretsNeverPrintedTests {
    /// Each password is made of fragments found nowhere else, so a partial leak shows too.
    static let passwords = ["pwA/pwB", "pwA#pwB", "pwA?pwB", "pwA@pwB", "pwA:pwB", "pwA pwB", "Xyz/pwH#pwC?pwD@pwE:pwF pwG"]

    static func fragments(_ password: String) -> [String] {
        password.split(whereSeparator: { "/#?@: ".contains($0) }).map(String.init).filter { $0.count >= 3 }
    }

    static func expectHidden(_ password: String, in r: Bin.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for fragment in fragments(password) {
            #expect(!r.stdout.contains(fragment), "\(what) printed \(fragment) on stdout: \(r.stdout)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains(fragment), "\(what) printed \(fragment) on stderr: \(r.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: passwords) func noCommandShowsThePassword(password: String) async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("c.sqlite")
        // Port 9 (discard) is closed on loopback: every connection is refused at once.
        let llm = "http://nurse:\(password)@127.0.0.1:9/v1"
        let store = "postgres://bedside:\(password)@127.0.0.1:9/bedside"
        let env = ["XDG_CONFIG_HOME": s.file("cfg")]

        let config = try await Bin.run(["config", "--db", db], env: env.merging(["BEDSIDE_LLM_URL": llm]) { a, _ in a })
        Self.expectHidden(password, in: config, "config")
        if config.status == 0 {
            #expect(config.stdout.contains("http://***@127.0.0.1:9/v1"), "\(config.stdout)")
        } else {
            #expect(config.stderr.contains("BEDSIDE_LLM_URL"), "\(config.stderr)")
        }

        let doctor = try await Bin.run(
            ["doctor", "--db", db, "--timeout", "2"], env: env.merging(["BEDSIDE_LLM_URL": llm, "BEDSIDE_STORE_URL": store]) { a, _ in a })
        Self.expectHidden(password, in: doctor, "doctor")
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("postgres://***@127.0.0.1:9/bedside"), "doctor shows [store] url, redacted: \(doctor.stdout)")

        for args in [["token", "create", "--subject", "dr-a"], ["audit"], ["serve", "--port", "0"]] {
            let r = try await Bin.run(args + ["--db", db, "--store", store], env: env, timeout: .seconds(30))
            #expect(r.status != 0, "\(args): \(r.stdout)")
            Self.expectHidden(password, in: r, args.joined(separator: " "))
        }

        // In config.toml, quoted or not: the file's error names the line, not the password.
        try FileManager.default.createDirectory(atPath: s.file("cfg/bedside"), withIntermediateDirectories: true)
        for line in ["url = \"\(store)\"", "url = \(store)"] {
            try "[store]\n\(line)\n".write(toFile: s.file("cfg/bedside/config.toml"), atomically: true, encoding: .utf8)
            let r = try await Bin.run(["audit", "--db", db], env: env, timeout: .seconds(30))
            #expect(r.status != 0)
            Self.expectHidden(password, in: r, "audit with [store] url in config.toml")
        }
    }
}
