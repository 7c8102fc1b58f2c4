import Foundation
import Testing

@testable import Core

/// Issue 19 finding 5: the one rule for text that meets a terminal.
struct TerminalTextTests {
    /// Every kind of character that acts on a terminal or reorders text, as a document or a
    /// peer could send it.
    static let hostile: [(name: String, text: String)] = [
        ("ESC CSI erase line", "a\u{1B}[2Kb"),
        ("OSC window title", "a\u{1B}]0;pwned\u{07}b"),
        ("OSC 8 hyperlink", "\u{1B}]8;;https://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\"),
        ("DCS", "a\u{1B}P1$tx\u{1B}\\b"),
        ("8-bit CSI", "a\u{9B}31mb"),
        ("8-bit OSC", "a\u{9D}0;t\u{9C}b"),
        ("8-bit DCS", "a\u{90}qb"),
        ("C1 NEL", "a\u{85}b"),
        ("carriage return overwrite", "safe dose\rDANGER"),
        ("backspace", "10\u{08}00 mg"),
        ("BEL", "a\u{07}b"),
        ("NUL", "a\u{0}b"),
        ("DEL", "a\u{7F}b"),
        ("RLO", "dose \u{202E}gm 01\u{202C}"),
        ("LRE..PDF", "\u{202A}x\u{202B}y\u{202C}z\u{202D}"),
        ("isolates", "\u{2066}a\u{2067}b\u{2068}c\u{2069}"),
        ("marks", "\u{200E}a\u{200F}b\u{061C}c"),
    ]

    static func isRaw(_ s: Unicode.Scalar) -> Bool { TerminalText.isUnsafe(s) && s != "\n" && s != "\t" }

    @Test(arguments: [TerminalText.Mode.block, .line, .exact])
    func noModeLetsAControlThrough(mode: TerminalText.Mode) {
        for (name, text) in Self.hostile {
            let safe = TerminalText.safe(text, mode)
            #expect(!safe.unicodeScalars.contains(where: Self.isRaw), "\(name) in \(mode): \(safe.debugDescription)")
            if mode != .block { #expect(!safe.contains("\n") && !safe.contains("\t"), "\(name) in \(mode)") }
        }
    }

    @Test func controlsAreShownNotDropped() {
        #expect(TerminalText.safe("a\u{1B}]0;t\u{07}b") == "a\\u{1B}]0;t\\u{7}b")
        #expect(TerminalText.safe("dose \u{202E}gm") == "dose \\u{202E}gm")
        #expect(TerminalText.safe("a\u{9B}b") == "a\\u{9B}b")
        #expect(TerminalText.safe("x\ry") == "x\\u{D}y")
    }

    @Test func layoutIsKeptWhereTheModeNeedsIt() {
        #expect(TerminalText.safe("one\r\ntwo\tthree\n") == "one\ntwo\tthree\n")
        #expect(TerminalText.safe("one\r\ntwo\tthree\nfour\r", .line) == "one two three four ")
        #expect(TerminalText.safe("a\\b\n", .exact) == "a\\\\b\\u{A}")
        // Ordinary text, accents, CJK and emoji pass unchanged.
        let plain = "Noradrénaline 0,1 µg/kg/min — 発熱 🩺 [1]."
        for mode in [TerminalText.Mode.block, .line] { #expect(TerminalText.safe(plain, mode) == plain) }
    }

    /// JSON output keeps its values exactly: the escapes decode to the same string.
    @Test func jsonEscapesWhatEncodersLeaveRawAndDecodesTheSame() throws {
        for (name, text) in Self.hostile {
            let encoded = String(decoding: try JSONEncoder().encode(["t": text]), as: UTF8.self)
            let safe = TerminalText.json(encoded)
            #expect(!safe.unicodeScalars.contains(where: Self.isRaw), "\(name): \(safe.debugDescription)")
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(safe.utf8))
            #expect(decoded["t"] == text, "\(name)")
        }
        let pretty = "{\n  \"a\" : 1\n}"
        #expect(TerminalText.json(pretty) == pretty)
    }
}
