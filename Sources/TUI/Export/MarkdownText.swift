import Core

/// Text from documents and peers made inert in a Markdown export: it reads as the same
/// words in a viewer and cannot become markup.
///
/// A title, a section or a passage is not Markdown we wrote: a newline in a title would
/// start a heading of its own (`# Dose\n## Citations`), `[x](javascript:…)` a link a
/// viewer makes clickable, `<script>` raw HTML, `---` a rule. Every ASCII punctuation mark
/// that can open markup is backslash-escaped (CommonMark shows an escaped mark as itself),
/// a line that starts like a list item, a rule or an indented code block is escaped at its
/// start, and the characters that act on a terminal (`TerminalText.isUnsafe`: ESC, C0 and
/// C1 controls, DEL, bidi controls) are dropped, so `cat` of the file cannot act on a
/// terminal and no viewer shows text in another order than it is stored.
enum MarkdownText {
    /// Marks that can open inline markup, HTML, an entity or a table cell anywhere in a line.
    private static let inlineMarks: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "~", "!", "&", "{", "}"]

    /// One line of inline text: line breaks and tabs become spaces.
    static func inline(_ text: String) -> String {
        escapeLine(plain(text, keepingLines: false))
    }

    /// Several lines (an answer, a passage), each escaped on its own; blank lines kept.
    static func lines(_ text: String) -> [String] {
        plain(text, keepingLines: true).split(separator: "\n", omittingEmptySubsequences: false).map { escapeLine(String($0)) }
    }

    /// A code span holding `text` exactly (backticks inside it need a longer fence).
    static func code(_ text: String) -> String {
        let t = plain(text, keepingLines: false)
        var longest = 0
        var run = 0
        for ch in t {
            run = ch == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = t.first == "`" || t.last == "`" ? " " : ""
        return fence + pad + t + pad + fence
    }

    /// `text` without the characters that act on a terminal; line breaks kept as `\n` (or
    /// made spaces), tabs made spaces.
    static func plain(_ text: String, keepingLines: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "\n": out += keepingLines ? "\n" : " "
            case "\r": if i + 1 >= scalars.count || scalars[i + 1] != "\n" { out += keepingLines ? "\n" : " " }
            case "\t": out += " "
            case "\u{2028}", "\u{2029}": out += keepingLines ? "\n" : " "
            default: if !TerminalText.isUnsafe(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// The end of a citation marker (`[12]`) starting at `i`, left as it is so the export
    /// reads like the answer: digits in brackets are no markup unless a `(`, `[` or `:`
    /// follows (a link, a reference, a link definition), and then they are escaped.
    private static func citationMarkerEnd(_ chars: [Character], at i: Int) -> Int? {
        guard chars[i] == "[" else { return nil }
        var j = i + 1
        while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
        guard j > i + 1, j < chars.count, chars[j] == "]" else { return nil }
        if j + 1 < chars.count, ["(", "[", ":"].contains(chars[j + 1]) { return nil }
        return j + 1
    }

    /// One line (no line breaks in it) escaped for Markdown.
    private static func escapeLine(_ line: String) -> String {
        // Leading spaces would make an indented code block or continue a list: dropped.
        let trimmed = line.drop { $0 == " " }
        var out = ""
        out.reserveCapacity(trimmed.utf8.count)
        let chars = Array(trimmed)
        var i = 0
        while i < chars.count {
            if let end = citationMarkerEnd(chars, at: i) {
                out.append(contentsOf: chars[i..<end])
                i = end
                continue
            }
            if inlineMarks.contains(chars[i]) { out.append("\\") }
            out.append(chars[i])
            i += 1
        }
        // A list item (`- `, `+ `, `1. `, `1) `), a rule or a setext underline (`---`, `===`).
        if let first = out.first, first == "-" || first == "+" || first == "=" {
            out = "\\" + out
        } else if let digits = out.firstIndex(where: { !$0.isASCII || !$0.isNumber }), digits != out.startIndex,
            out[digits] == "." || out[digits] == ")"
        {
            out.insert("\\", at: digits)
        }
        return out
    }
}
