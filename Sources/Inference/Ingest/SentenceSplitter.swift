/// Finds sentence ends in prose without cutting abbreviations, decimals or initials.
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
            } else if b == 0x2E || b == 0x3F || b == 0x21 { // . ? !
                var j = i + 1
                while j < end, utf8[j] == 0x29 || utf8[j] == 0x22 || utf8[j] == 0x5D { j += 1 } // ) " ]
                if j >= end { break }
                if utf8[j] == 0x20 || utf8[j] == 0x0A {
                    var k = j
                    while k < end, utf8[k] == 0x20 || utf8[k] == 0x0A { k += 1 }
                    if k < end, isSentenceStart(utf8[k]), !(b == 0x2E && isAbbreviation(utf8, start, i)) {
                        out.append(j)
                    }
                }
            }
            i += 1
        }
        if out.last != end { out.append(end) }
        return out
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
