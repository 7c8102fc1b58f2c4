/// Finds sentence ends in prose without cutting abbreviations, decimals or initials.
///
/// Each item of a bullet or numbered list, and each row of a table, is a unit of its own
/// (items often end without a full stop): an answer can quote a list item by item, each
/// with its own place in the document.
public enum SentenceSplitter {
    static let abbreviations: Set<String> = [
        "e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "approx", "fig", "al", "no", "st",
        "min", "max", "mg", "kg", "ml", "dl", "mmol", "iv", "im", "sc", "po", "cf", "ca", "resp",
    ]

    /// Byte offsets (within `start..<end`) just after each sentence end, ending with `end`.
    static func boundaries(_ utf8: [UInt8], _ start: Int, _ end: Int) -> [Int] {
        var out: [Int] = []
        var i = start
        while i < end {
            let b = utf8[i]
            if b == 0x0A, i + 1 < end, utf8[i + 1] == 0x0A { // paragraph break
                out.append(i)
            } else if b == 0x0A, i + 1 < end, isItemStart(utf8, i + 1, end) || isTableRow(utf8, lineStart(utf8, start, i), i) {
                // A list item or table row is a unit of its own, with or without a full stop.
                if out.last != i { out.append(i) }
            } else if b == 0x2E || b == 0x3F || b == 0x21 { // . ? !
                var j = i + 1
                while j < end, utf8[j] == 0x29 || utf8[j] == 0x22 || utf8[j] == 0x5D { j += 1 } // ) " ]
                if j >= end { break }
                if utf8[j] == 0x20 || utf8[j] == 0x0A {
                    var k = j
                    while k < end, utf8[k] == 0x20 || utf8[k] == 0x0A { k += 1 }
                    if k < end, isSentenceStart(utf8[k]), !(b == 0x2E && (isAbbreviation(utf8, start, i) || isItemNumber(utf8, start, i))) {
                        out.append(j)
                    }
                }
            }
            i += 1
        }
        if out.last != end { out.append(end) }
        return out
    }

    /// Whether the line at `i` opens a list item (`- `, `* `, `+ `, `1. `, `1) `) or a table row (`|`),
    /// after any indentation.
    static func isItemStart(_ utf8: [UInt8], _ i: Int, _ end: Int) -> Bool {
        var k = i
        while k < end, utf8[k] == 0x20 || utf8[k] == 0x09 { k += 1 }
        guard k < end else { return false }
        let b = utf8[k]
        if b == 0x7C { return true } // |
        if b == 0x2D || b == 0x2A || b == 0x2B { return k + 1 < end && utf8[k + 1] == 0x20 } // - * +
        var d = k
        while d < end, (0x30...0x39).contains(utf8[d]) { d += 1 }
        return d > k && d - k <= 3 && d + 1 < end && (utf8[d] == 0x2E || utf8[d] == 0x29) && utf8[d + 1] == 0x20
    }

    /// Whether the full stop at `dot` closes a numbered list marker (`12.` opening its line).
    static func isItemNumber(_ utf8: [UInt8], _ start: Int, _ dot: Int) -> Bool {
        let line = lineStart(utf8, start, dot)
        var k = line
        while k < dot, utf8[k] == 0x20 || utf8[k] == 0x09 { k += 1 }
        return k < dot && dot - k <= 3 && utf8[k..<dot].allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Whether the line at `i` is a table row (a wrapped list item runs on; a row never does).
    static func isTableRow(_ utf8: [UInt8], _ i: Int, _ end: Int) -> Bool {
        var k = i
        while k < end, utf8[k] == 0x20 || utf8[k] == 0x09 { k += 1 }
        return k < end && utf8[k] == 0x7C
    }

    /// The byte offset where the line holding `i` begins (not before `start`).
    static func lineStart(_ utf8: [UInt8], _ start: Int, _ i: Int) -> Int {
        var k = i
        while k > start, utf8[k - 1] != 0x0A { k -= 1 }
        return k
    }

    /// The length of the list marker (`- `, `12. `, with indentation) that opens `text`, 0 when none.
    public static func itemMarkerLength(_ text: String) -> Int {
        let utf8 = Array(text.utf8)
        guard isItemStart(utf8, 0, utf8.count) else { return 0 }
        var k = 0
        while k < utf8.count, utf8[k] == 0x20 || utf8[k] == 0x09 { k += 1 }
        if utf8[k] == 0x7C { return 0 } // a table row keeps its bars
        while k < utf8.count, utf8[k] != 0x20 { k += 1 }
        while k < utf8.count, utf8[k] == 0x20 { k += 1 }
        return k
    }

    static func isSentenceStart(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) || b == 0x28 || b == 0x22 || b == 0x5B || b >= 0x80
    }

    static func isAbbreviation(_ utf8: [UInt8], _ start: Int, _ dot: Int) -> Bool {
        var s = dot
        while s > start, utf8[s - 1] != 0x20, utf8[s - 1] != 0x0A, utf8[s - 1] != 0x28 { s -= 1 }
        let word = String(decoding: utf8[s..<dot], as: UTF8.self).lowercased()
        if word.count == 1, word.first?.isLetter == true { return true } // initials: "J. Smith"
        return abbreviations.contains(word)
    }

    /// Splits text into sentences with their UTF-8 byte ranges (trimmed).
    public static func sentences(_ text: String) -> [(text: String, start: Int, end: Int)] {
        let utf8 = Array(text.utf8)
        var out: [(String, Int, Int)] = []
        var s = 0
        for b in boundaries(utf8, 0, utf8.count) {
            let (a, e) = Chunker.trim(s, b, utf8)
            if e > a { out.append((String(decoding: utf8[a..<e], as: UTF8.self), a, e)) }
            s = b
        }
        return out
    }
}
