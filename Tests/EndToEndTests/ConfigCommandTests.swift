import Core
import Foundation
import TestSupport
import Testing

/// `bedside config` and `bedside doctor` through the binary: origins, errors with file:line,
/// and secrets that never reach the terminal.
@Suite("bedside config")
struct ConfigCommandTests {
    static let secrets = ["pw-e2e-secret", "sk-e2e-file-secret", "qk-e2e-env-secret"]

    static func writeConfig(_ s: Scratch, _ text: String) throws -> String {
        try FileManager.default.createDirectory(atPath: s.file("cfg/bedside"), withIntermediateDirectories: true)
        let path = s.file("cfg/bedside/config.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func showsEachValueWithItsOriginAndNoSecret() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let path = try Self.writeConfig(
            s,
            """
            [llm]
            url = "http://nurse:pw-e2e-secret@127.0.0.1:9/v1"
            api_key = "sk-e2e-file-secret"
            [gateway]
            idle_timeout = "45s"
            """)
        let env = [
            "XDG_CONFIG_HOME": s.file("cfg"), "BEDSIDE_QDRANT_URL": "http://127.0.0.1:9", "BEDSIDE_QDRANT_API_KEY": "qk-e2e-env-secret",
            "BEDSIDE_RATE_LIMIT_CAPACITY": "50",
        ]
        let r = try await Bin.run(["config", "--db", s.file("c.sqlite"), "--port", "9001"], env: env)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        func line(_ key: String) -> String { r.stdout.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? "" }
        #expect(r.stdout.hasPrefix("config file: \(path)"))
        #expect(line("gateway.idle_timeout").contains("45s") && line("gateway.idle_timeout").hasSuffix("file \(path):5"))
        #expect(line("limits.rate_capacity").contains(" 50 ") && line("limits.rate_capacity").hasSuffix("env BEDSIDE_RATE_LIMIT_CAPACITY"))
        #expect(line("gateway.port").contains("9001") && line("gateway.port").hasSuffix("flag --port"))
        #expect(line("cache.ttl").contains("6h") && line("cache.ttl").hasSuffix("default"))
        #expect(line("llm.url").contains("http://***@127.0.0.1:9/v1"))
        #expect(line("llm.api_key").contains("(set, redacted)") && line("qdrant.api_key").contains("(set, redacted)"))
        for secret in Self.secrets { #expect(!(r.stdout + r.stderr).contains(secret), "\(secret) printed by config") }

        let json = try await Bin.run(["config", "--json"], env: env)
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let qdrantKey = try #require(rows.first { $0["key"] as? String == "qdrant.api_key" })
        #expect(qdrantKey["value"] as? String == "(set, redacted)" && qdrantKey["origin"] as? String == "env BEDSIDE_QDRANT_API_KEY")
        #expect(qdrantKey["secret"] as? Bool == true)
        for secret in Self.secrets { #expect(!json.stdout.contains(secret), "\(secret) printed by config --json") }

        // Doctor checks the same settings (both servers are down) and prints no secret either.
        let doctor = try await Bin.run(["doctor", "--db", s.file("c.sqlite"), "--timeout", "2"], env: env)
        #expect(doctor.status == 1)
        #expect(doctor.stdout.contains("http://***@127.0.0.1:9/v1") && doctor.stdout.contains("API keys set for llm, qdrant (set, redacted)"))
        for secret in Self.secrets { #expect(!(doctor.stdout + doctor.stderr).contains(secret), "\(secret) printed by doctor") }
    }

    /// The variables library modules used to read themselves are registry keys now:
    /// documented by `--reference` and shown, with their origin, by `config`.
    @Test func referenceListsTheVariablesMovedIntoTheRegistry() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("cfg")]
        let reference = try await Bin.run(["config", "--reference"], env: env)
        #expect(reference.status == 0, "stderr: \(reference.stderr)")
        let moved = [
            ("`[store] sqlite_synchronous`", "BEDSIDE_SQLITE_SYNCHRONOUS"), ("`[store] audit_group_commit`", "BEDSIDE_AUDIT_GROUP_COMMIT"),
            ("`bm25_index`", "BEDSIDE_BM25_INDEX"), ("`[console] trace`", "BEDSIDE_TUI_TRACE"),
        ]
        for (key, variable) in moved {
            let row = reference.stdout.split(separator: "\n").first { $0.hasPrefix("| \(key) |") }.map(String.init) ?? ""
            #expect(row.contains("`\(variable)`"), "no row for \(key) naming \(variable) in:\n\(reference.stdout)")
        }
        let shown = try await Bin.run(
            ["config", "--db", s.file("c.sqlite")],
            env: env.merging(["BEDSIDE_SQLITE_SYNCHRONOUS": "NORMAL", "BEDSIDE_AUDIT_GROUP_COMMIT": "0", "BEDSIDE_BM25_INDEX": "fts5"]) { a, _ in a })
        #expect(shown.status == 0, "stderr: \(shown.stderr)")
        func line(_ key: String) -> String { shown.stdout.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? "" }
        #expect(line("store.sqlite_synchronous").contains("normal") && line("store.sqlite_synchronous").hasSuffix("env BEDSIDE_SQLITE_SYNCHRONOUS"))
        #expect(line("store.audit_group_commit").contains("false") && line("store.audit_group_commit").hasSuffix("env BEDSIDE_AUDIT_GROUP_COMMIT"))
        #expect(line("bm25_index").contains("fts5") && line("bm25_index").hasSuffix("env BEDSIDE_BM25_INDEX"))
    }

    @Test func badValuesAndUnknownKeysNameTheFileAndLine() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("cfg")]
        let path = try Self.writeConfig(s, "[gateway]\nport = 8787\nidle_timeout = \"abc\"\n")
        let bad = try await Bin.run(["config"], env: env)
        #expect(bad.status != 0)
        #expect(
            bad.stderr.contains("\(path):3: [gateway] idle_timeout: expected a duration like \"30s\", \"5m\" or \"2h\", got \"abc\""), "\(bad.stderr)"
        )

        _ = try Self.writeConfig(s, "[gateway]\nidle_timout = \"30s\"\n[tsl]\ncert = \"c.pem\"\n")
        let serve = try await Bin.run(["serve", "--db", s.file("c.sqlite"), "--port", "0"], env: env, timeout: .seconds(60))
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("\(path):2: unknown key `idle_timout` in [gateway]"), "\(serve.stderr)")
        #expect(serve.stderr.contains("\(path):3: unknown section [tsl]"), "\(serve.stderr)")
        let doctor = try await Bin.run(["doctor", "--db", s.file("c.sqlite")], env: env)
        #expect(doctor.status == 1 && doctor.stdout.contains("unknown key `idle_timout` in [gateway]"))

        // A variable that cannot be read names itself and its key.
        let variable = try await Bin.run(["config"], env: ["XDG_CONFIG_HOME": s.file("none"), "BEDSIDE_MAX_CONNECTIONS": "lots"])
        #expect(variable.status != 0)
        #expect(variable.stderr.contains("BEDSIDE_MAX_CONNECTIONS ([limits] max_connections): expected a whole number"), "\(variable.stderr)")
    }
}
