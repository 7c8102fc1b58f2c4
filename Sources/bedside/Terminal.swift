import Core
import Foundation

/// Small helpers for plain terminal output.
enum Terminal {
    static var stderrIsTTY: Bool { isatty(2) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    /// Colour on stdout: a terminal, and no `NO_COLOR` (no-color.org; not a Bedside setting).
    static var stdoutUsesColor: Bool { stdoutIsTTY && Settings.environment["NO_COLOR"] == nil }

    /// `value` as the pretty JSON of the wire types, safe to print on a terminal (C1 and bidi
    /// characters escaped; the decoded values are exact): every `--json` of the CLI.
    static func json(_ value: some Encodable) throws -> String {
        TerminalText.json(String(decoding: try WireCoding.encoder(.pretty).encode(value), as: UTF8.self))
    }

    /// Every message on stderr passes here: an error may quote a document, a peer's reply or
    /// a URL, so its terminal controls are shown escaped and its secrets hidden.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.safe(SecretRedaction.redact(line)) + "\n").utf8))
    }

    /// Rewrites one status line on a TTY (no-op otherwise).
    static func progress(_ line: String) {
        guard stderrIsTTY else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    static func endProgress() {
        guard stderrIsTTY else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
