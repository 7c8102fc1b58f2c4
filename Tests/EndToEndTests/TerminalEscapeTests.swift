import Core
import Foundation
import TestSupport
import Testing

/// Issue 19 finding 5: a document holding escape sequences and bidi controls cannot act on
/// the terminal through `bedside ask`, `check` or an error message; `--json` keeps it exact.
@Suite("Terminal escapes from documents")
struct TerminalEscapeTests {
    /// A window title (OSC 0), an erased and overwritten line (CSI, CR), an OSC 8 link, an
    /// 8-bit CSI, a right-to-left override and isolate, DEL.
    static let hostile =
        "\u{1B}]0;pwned\u{07} \u{1B}[2K\rOVERWRITTEN \u{1B}]8;;https://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\ \u{9B}31m \u{202E}gm 01\u{202C} \u{2066}x\u{2069} \u{7F}"

    /// The controls in `text` a terminal would act on (newline and tab aside).
    static func raw(_ text: String) -> [String] {
        text.unicodeScalars.filter { TerminalText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }.map { String(format: "U+%04X", $0.value) }
    }

    @Test func askCheckAndErrorsShowControlsEscaped() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("c.sqlite")
        let title = "Sepsis guide " + Self.hostile
        let doc: [String: String] = [
            "id": "evil-doc", "title": title,
            "text": "Give 30 mL/kg crystalloid fluid bolus within 3 hours for septic shock. " + Self.hostile + ".",
        ]
        let corpus = s.file("c.jsonl")
        try (String(decoding: try JSONEncoder().encode(doc), as: UTF8.self) + "\n").write(toFile: corpus, atomically: true, encoding: .utf8)
        let ingest = try await Bin.run(["ingest", "--db", db, corpus])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let question = "crystalloid fluid bolus septic shock"

        let ask = try await Bin.run(["ask", "--db", db, question])
        #expect(ask.status == 0, "\(ask.stderr)")
        #expect(Self.raw(ask.stdout + ask.stderr).isEmpty, "ask printed \(Self.raw(ask.stdout + ask.stderr)): \(ask.stdout.debugDescription)")
        #expect(ask.stdout.contains("Sepsis guide \\u{1B}]0;pwned\\u{7}"), "the title is shown, its controls visible: \(ask.stdout)")
        #expect(ask.stdout.contains("\\u{202E}gm 01"))

        let json = try await Bin.run(["ask", "--db", db, "--json", question])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(Self.raw(json.stdout).isEmpty, "ask --json printed \(Self.raw(json.stdout))")
        let answer = try WireCoding.decoder().decode(Answer.self, from: Data(json.stdout.utf8))
        #expect(answer.citations.first?.title == title, "--json keeps the title exactly")
        #expect(answer.citations.first?.text.hasSuffix(Self.hostile + ".") == true)

        let file = s.file("answer.txt")
        try ("Give 30 mL/kg crystalloid within 3 hours [1]. " + Self.hostile + " [1].").write(toFile: file, atomically: true, encoding: .utf8)
        let check = try await Bin.run(["check", "--db", db, "--question", question, "--answer", file])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(
            Self.raw(check.stdout + check.stderr).isEmpty, "check printed \(Self.raw(check.stdout + check.stderr)): \(check.stdout.debugDescription)")
        #expect(check.stdout.contains("Sepsis guide \\u{1B}]0;pwned"))

        // An argument quoted back in an error (ours, and the argument parser's).
        for args in [["ask", "--db", db, "--filter", Self.hostile, question], ["ask", "--db", db, "--bogus" + Self.hostile, question]] {
            let bad = try await Bin.run(args)
            #expect(bad.status == 2 || bad.status == 64, "\(bad.status) \(bad.stderr)")
            #expect(Self.raw(bad.stdout + bad.stderr).isEmpty, "error printed \(Self.raw(bad.stderr)): \(bad.stderr.debugDescription)")
            #expect(bad.stderr.contains("\\u{1B}]0;pwned"), "\(bad.stderr)")
        }
    }
}
