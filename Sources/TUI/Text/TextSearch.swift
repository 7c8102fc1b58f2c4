/// Case-insensitive search over characters, for `/` in the answer and the source viewer.
enum TextSearch {
    /// Ranges (character indices) of every non-overlapping match of `term` in `folded`
    /// (already lowercased text).
    static func matches(of term: String, in folded: [Character]) -> [Range<Int>] {
        let needle = Array(term.lowercased())
        guard !needle.isEmpty, needle.count <= folded.count else { return [] }
        var out: [Range<Int>] = []
        var i = 0
        let first = needle[0]
        while i <= folded.count - needle.count {
            if folded[i] == first {
                var k = 1
                while k < needle.count && folded[i + k] == needle[k] { k += 1 }
                if k == needle.count {
                    out.append(i..<(i + needle.count))
                    i += needle.count
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// Lowercases characters one by one, keeping the count (for match offsets).
    static func fold(_ characters: [Character]) -> [Character] { characters.map(fold) }

    /// A character lowercased, or as it is when lowercasing makes it more than one.
    static func fold(_ ch: Character) -> Character {
        let lower = ch.lowercased()
        return lower.count == 1 ? Character(lower) : ch
    }
}
