/// Finds `[n]` citation markers (also `[1, 2]`) in answer text, so views can highlight them.
enum CitationMarkers {
    /// Character-index ranges of each marker in `characters`.
    static func ranges(in characters: [Character]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < characters.count {
            guard characters[i] == "[" else {
                i += 1
                continue
            }
            var j = i + 1
            var sawDigit = false
            while j < characters.count {
                let c = characters[j]
                if c.isASCII && c.isNumber {
                    sawDigit = true
                    j += 1
                } else if c == "," || c == " " {
                    j += 1
                } else {
                    break
                }
            }
            if sawDigit, j < characters.count, characters[j] == "]", characters[i + 1].isNumber {
                out.append(i..<(j + 1))
                i = j + 1
            } else {
                i += 1
            }
        }
        return out
    }

    /// The citation numbers written in a marker such as `[1, 2]`.
    static func numbers(in marker: some StringProtocol) -> [Int] {
        marker.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }
}
