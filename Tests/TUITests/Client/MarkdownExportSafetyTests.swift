import Core
import Foundation
import Testing

@testable import TUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 19 findings 5 and 8: an export is inert Markdown (no heading, link, HTML or terminal
/// escape from a document or a peer) and private to its owner whatever the umask.
@Suite(.serialized) struct MarkdownExportSafetyTests {
    let date = Date(timeIntervalSince1970: 1_735_725_600)

    static let injection =
        "Dose\n## Fake heading\n[click](javascript:alert(1)) <script>alert(1)</script>\r\n---\n1. item\n    code \u{1B}]0;pwn\u{07} \u{9B}2J \u{202E}gm 01\u{202C} `tick`"

    static func hostileAnswer(refused: Bool = false) -> Answer {
        var a = Fixtures.answer(
            question: injection, refused: refused,
            citations: [
                Fixtures.citation(1, doc: "src`evil\n# x", title: injection, section: "Fluids\n===\n<img src=x onerror=alert(1)>", text: injection)
            ])
        a.sentences = refused ? [] : [AnswerSentence(text: injection, citations: [1]), AnswerSentence(text: "**bold** _it_", citations: [1])]
        a.answer = injection
        a.model = "m`x\n# y"
        return a
    }

    /// `1. ` or `1) ` at the start of a line: an ordered list item.
    static func isListItem(_ line: Substring) -> Bool {
        guard let end = line.firstIndex(where: { !$0.isNumber }), end != line.startIndex else { return false }
        return line[end] == "." || line[end] == ")"
    }

    /// Whether `markup` occurs with its first character not backslash-escaped.
    static func containsUnescaped(_ text: String, _ markup: String) -> Bool {
        var rest = text[...]
        while let r = rest.range(of: markup) {
            if r.lowerBound == text.startIndex || text[text.index(before: r.lowerBound)] != "\\" { return true }
            rest = text[r.upperBound...]
        }
        return false
    }

    /// CommonMark's reading of backslash escapes: an escaped punctuation mark is itself.
    static func unescaped(_ s: some StringProtocol) -> String {
        var out = ""
        var escaping = false
        for ch in s {
            if escaping {
                if !(ch.isASCII && ch.isPunctuation || ch.isASCII && ch.isSymbol) { out.append("\\") }
                out.append(ch)
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }

    @Test(arguments: [false, true]) func documentTextCannotBecomeMarkup(refused: Bool) {
        let md = MarkdownExport.markdown(Self.hostileAnswer(refused: refused), exportedAt: date)
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false)
        // The only headings, rules and list items are ours.
        let headings = lines.filter { $0.hasPrefix("#") }
        #expect(headings.count == 2, "\(headings)")
        #expect(headings.last == (refused ? "## Nearest sources (not support for an answer)" : "## Citations"))
        #expect(lines.filter { $0 == "---" }.count == 1, "\(md)")
        #expect(lines.filter(Self.isListItem).count == 1, "\(md)") // "1. **title**"
        #expect(!lines.contains { $0.hasPrefix("    ") && !$0.hasPrefix("   >") }, "an indented code block")
        #expect(!lines.contains { $0 != "---" && ($0.hasPrefix("=") || $0.hasPrefix("-") || $0.hasPrefix("+")) }, "a setext underline or a list")
        // No link, HTML or code span of theirs, and nothing a terminal acts on.
        for markup in ["](javascript:", "<script", "<img", "[click]"] { #expect(!Self.containsUnescaped(md, markup), "\(markup) in \(md)") }
        #expect(!md.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\n" }, "\(md.debugDescription)")
        // The heading still reads as the question (controls dropped, lines joined).
        let heading = Self.unescaped(headings[0].dropFirst(2))
        #expect(heading.hasPrefix("Dose ## Fake heading [click](javascript:alert(1)) <script>alert(1)</script> --- 1. item"), "\(heading)")
        #expect(heading.hasSuffix("code ]0;pwn 2J gm 01 `tick`"), "\(heading)")
        // Code spans hold their text exactly, backticks included.
        #expect(md.contains("``m`x # y``"), "\(md)")
    }

    @Test func citationMarkersReadAsTheyAreButNeverOpenALink() {
        #expect(MarkdownText.inline("Give fluids [1] and oxygen [12].") == "Give fluids [1] and oxygen [12].")
        #expect(MarkdownText.inline("[1](javascript:alert(1))") == "\\[1\\](javascript:alert(1))")
        #expect(MarkdownText.inline("[1]: javascript:alert(1)") == "\\[1\\]: javascript:alert(1)")
        #expect(MarkdownText.inline("[1][2]") == "\\[1\\][2]")
        #expect(MarkdownText.inline("[x]") == "\\[x\\]")
    }

    @Test func exportsAreOwnerOnlyWhateverTheUmask() throws {
        let old = umask(0o022)
        defer { umask(old) }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bedside-export-mode-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let nested = root + "/a/b"
        let path = try MarkdownExport.write(Fixtures.answer(), to: nested, exportedAt: date)
        #expect(mode(path) == 0o600)
        for folder in [root, root + "/a", nested] { #expect(mode(folder) == 0o700, "\(folder)") }
        // Into a folder that exists: the file is private, the folder keeps its mode.
        let shared = root + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        let second = try MarkdownExport.write(Fixtures.answer(), to: shared, exportedAt: date)
        #expect(mode(second) == 0o600 && mode(shared) == 0o755)
        // Written again in the same second: replaced whole, still private, no temporary left.
        _ = try MarkdownExport.write(Fixtures.answer(), to: shared, exportedAt: date)
        #expect(mode(second) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared) == [(second as NSString).lastPathComponent])
    }

    func mode(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o777)
    }
}
