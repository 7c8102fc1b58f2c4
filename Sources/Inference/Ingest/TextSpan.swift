/// A line of a document with its UTF-8 byte range (excluding the line break).
struct TextLine: Sendable, Hashable {
    var text: Substring
    var start: Int
    var end: Int

    /// Splits text into lines, recording byte offsets. LF and CRLF both end a line.
    static func split(_ text: String) -> [TextLine] {
        var lines: [TextLine] = []
        var offset = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw
            let rawBytes = raw.utf8.count
            if line.last == "\r" { line = line.dropLast() }
            lines.append(TextLine(text: line, start: offset, end: offset + line.utf8.count))
            offset += rawBytes + 1
        }
        return lines
    }

    var isBlank: Bool { text.allSatisfy { $0.isWhitespace } }
}
