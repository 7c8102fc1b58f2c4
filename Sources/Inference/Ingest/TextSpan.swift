/// A line of a document with its UTF-8 byte range (excluding the line break).
struct TextLine: Sendable, Hashable {
    var text: Substring
    var start: Int
    var end: Int

    /// Splits text into lines, recording byte offsets. LF and CRLF both end a line.
    /// (Works on bytes: Swift treats "\r\n" as one Character, so splitting on "\n" would miss it.)
    static func split(_ text: String) -> [TextLine] {
        var lines: [TextLine] = []
        let utf8 = text.utf8
        var lineStart = utf8.startIndex
        var offset = 0
        var startOffset = 0
        var i = utf8.startIndex
        func add(_ endIndex: String.Index, _ endOffset: Int) {
            var e = endIndex
            var eo = endOffset
            if eo > startOffset, utf8[utf8.index(before: e)] == 0x0D {
                e = utf8.index(before: e)
                eo -= 1
            }
            lines.append(TextLine(text: text[lineStart..<e], start: startOffset, end: eo))
        }
        while i != utf8.endIndex {
            if utf8[i] == 0x0A {
                add(i, offset)
                lineStart = utf8.index(after: i)
                startOffset = offset + 1
            }
            i = utf8.index(after: i)
            offset += 1
        }
        add(utf8.endIndex, offset)
        return lines
    }

    var isBlank: Bool { text.allSatisfy { $0.isWhitespace } }
}
