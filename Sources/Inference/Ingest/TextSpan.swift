/// A line of a document with its UTF-8 byte range (excluding the line break).
struct TextLine: Sendable, Hashable {
    var text: Substring
    var start: Int
    var end: Int

    /// Splits text into lines, recording byte offsets. LF and CRLF both end a line.
    /// (Works on bytes: Swift treats "\r\n" as one Character, so splitting on "\n" would miss it.)
    static func split(_ text: String) -> [TextLine] {
        var lines: [TextLine] = []
        var start = 0
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let cr = line.last == 0x0D ? 1 : 0
            let end = text.utf8.index(line.endIndex, offsetBy: -cr)
            lines.append(TextLine(text: text[line.startIndex..<end], start: start, end: start + line.count - cr))
            start += line.count + 1
        }
        return lines
    }

    var isBlank: Bool { text.allSatisfy { $0.isWhitespace } }
}
