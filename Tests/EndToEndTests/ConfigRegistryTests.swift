import Foundation
import TestSupport
import Testing

/// Every `BEDSIDE_*` variable is a key of the configuration registry: `config --reference`
/// documents it and `config` shows it, so a variable read anywhere else fails here.
@Suite("bedside config registry")
struct ConfigRegistryTests {
    /// Every `BEDSIDE_*` name written in Sources' Swift files, except the C constants of the
    /// curses shim (`BEDSIDE_KEY_*`, `BEDSIDE_ATTR_*`), the fuzzing build condition and
    /// prefixes (`BEDSIDE_REPLICA_*`), none of which is a variable.
    static func variablesInSources() throws -> Set<String> {
        let sources = Bin.packageRoot.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        let pattern = try NSRegularExpression(pattern: "BEDSIDE_[A-Z0-9_]+")
        var names: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let r = Range(m.range, in: text) else { continue }
                let name = String(text[r])
                guard !name.hasSuffix("_"), !name.hasPrefix("BEDSIDE_KEY_"), !name.hasPrefix("BEDSIDE_ATTR_"), name != "BEDSIDE_FUZZ" else {
                    continue
                }
                names.insert(name)
            }
        }
        return names
    }

    @Test func everyVariableInSourcesIsDocumentedAndShown() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("cfg"), "XDG_DATA_HOME": s.file("data")]
        let reference = try await Bin.run(["config", "--reference"], env: env)
        #expect(reference.status == 0, "stderr: \(reference.stderr)")
        // The Environment column (the third cell) of every row.
        let documented = Set(
            reference.stdout.split(separator: "\n").dropFirst(2).flatMap { row in
                row.split(separator: "|", omittingEmptySubsequences: false).dropFirst(2).first.map { cell in
                    cell.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "`", with: "") }
                } ?? []
            }.filter { !$0.isEmpty })
        let inSources = try Self.variablesInSources()
        #expect(inSources.count > 60, "found only \(inSources.sorted())")
        #expect(inSources.subtracting(documented).isEmpty, "not registry keys: \(inSources.subtracting(documented).sorted())")

        let json = try await Bin.run(["config", "--json"], env: env)
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let shown = Set(rows.flatMap { $0["env"] as? [String] ?? [] })
        #expect(documented.subtracting(shown).isEmpty, "documented, not shown: \(documented.subtracting(shown).sorted())")
    }

    /// The settings that are no file key still keep flag > variable > default.
    @Test func commandSettingsKeepTheirPrecedenceAndHideTokens() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = [
            "XDG_CONFIG_HOME": s.file("cfg"), "XDG_DATA_HOME": s.file("data"), "BEDSIDE_DB": s.file("env.sqlite"),
            "BEDSIDE_TOKEN": "tok-registry-secret", "BEDSIDE_DEMO_CORPUS": s.file("demo"),
        ]
        func line(_ r: Bin.Result, _ key: String) -> String {
            r.stdout.split(separator: "\n").first { $0.hasPrefix(key + " ") }.map(String.init) ?? ""
        }
        let flag = try await Bin.run(["config", "--db", s.file("flag.sqlite")], env: env)
        #expect(flag.status == 0, "stderr: \(flag.stderr)")
        #expect(line(flag, "database").contains(s.file("flag.sqlite")) && line(flag, "database").hasSuffix("flag --db"))
        let variable = try await Bin.run(["config"], env: env)
        #expect(line(variable, "database").contains(s.file("env.sqlite")) && line(variable, "database").hasSuffix("env BEDSIDE_DB"))
        #expect(line(variable, "token").contains("(set, redacted)") && line(variable, "token").hasSuffix("env BEDSIDE_TOKEN"))
        #expect(line(variable, "demo_corpus").contains(s.file("demo")))
        #expect(!(variable.stdout + variable.stderr).contains("tok-registry-secret"))
        let none = try await Bin.run(["config"], env: ["XDG_CONFIG_HOME": s.file("cfg"), "XDG_DATA_HOME": s.file("data"), "BEDSIDE_DB": ""])
        #expect(line(none, "database").contains(s.file("data") + "/bedside/bedside.sqlite") && line(none, "database").hasSuffix("default"))
    }
}
