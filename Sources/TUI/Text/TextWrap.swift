/// Word wrapping by terminal columns.
///
/// Lines break after spaces and on either side of a wide (CJK, emoji) character, since
/// Chinese and Japanese text has no spaces to break at. A word longer than the line is cut
/// hard. A wide character never straddles the right edge. `\n` ends a paragraph. Spaces at a
/// soft break are dropped; indentation at the start of a paragraph is kept.
enum TextWrap {
    /// The ranges (into `characters`) of each wrapped line, without the `\n`s.
    static func lines(characters: [Character], widths: [UInt8], width: Int) -> [Range<Int>] {
        precondition(characters.count == widths.count)
        let width = max(2, width)
        var lines: [Range<Int>] = []
        var paragraphStart = 0
        for i in 0...characters.count where i == characters.count || characters[i] == "\n" {
            wrapParagraph(paragraphStart..<i, characters, widths, width, into: &lines)
            paragraphStart = i + 1
        }
        return lines
    }

    private static func wrapParagraph(
        _ range: Range<Int>, _ chars: [Character], _ widths: [UInt8], _ width: Int,
        into lines: inout [Range<Int>]
    ) {
        var start = range.lowerBound
        let end = range.upperBound
        guard start < end else {
            lines.append(start..<start)
            return
        }
        var column = 0
        var breakPoint: Int? // index where the next line may start
        var i = start
        while i < end {
            let w = Int(widths[i])
            let isSpace = chars[i] == " "
            if w == 2 && i > start { breakPoint = i }
            if !isSpace && column + w > width && i > start {
                let cut: Int
                if w == 2 { cut = i } else if let b = breakPoint, b > start { cut = b } else { cut = i }
                lines.append(start..<trimmedEnd(start, cut, chars))
                var next = cut
                while next < end && chars[next] == " " { next += 1 }
                start = next
                column = 0
                breakPoint = nil
                for k in start..<max(start, i) {
                    if widths[k] == 2 && k > start { breakPoint = k }
                    column += Int(widths[k])
                    if chars[k] == " " || widths[k] == 2 { breakPoint = k + 1 }
                }
                continue
            }
            column += w
            if isSpace || w == 2 { breakPoint = i + 1 }
            i += 1
        }
        lines.append(start..<trimmedEnd(start, end, chars))
    }

    private static func trimmedEnd(_ start: Int, _ end: Int, _ chars: [Character]) -> Int {
        var e = end
        while e > start && chars[e - 1] == " " { e -= 1 }
        return e
    }

    /// The index of the line holding character `index` (the last line when past the end).
    static func line(containing index: Int, in lines: [Range<Int>]) -> Int {
        guard !lines.isEmpty else { return 0 }
        var lo = 0
        var hi = lines.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lines[mid].lowerBound <= index { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}
