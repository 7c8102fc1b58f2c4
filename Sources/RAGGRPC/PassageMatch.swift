import Core

/// Finds which passage of a local document a service's citation quotes.
public enum PassageMatch {
    /// The index of the passage among `passages` that holds `cited` (or is held by it), else the
    /// one sharing the most words with it when that covers at least half of the cited words; nil
    /// when none does (the citation then carries its own text). Linear in the texts: a peer's
    /// long citation is searched with `holds`, not a quadratic substring search.
    public static func best(for cited: String, among passages: [String]) -> Int? {
        let needle = Array(normalized(cited).utf8)
        guard !needle.isEmpty else { return nil }
        let normalizedPassages = passages.map { Array(normalized($0).utf8) }
        if let i = normalizedPassages.firstIndex(where: { !$0.isEmpty && (holds($0, needle) || holds(needle, $0)) }) { return i }
        let words = Set(needle.split(separator: 0x20))
        var best: (index: Int, shared: Int)?
        for (i, p) in normalizedPassages.enumerated() {
            let shared = words.intersection(p.split(separator: 0x20)).count
            if shared > (best?.shared ?? 0) { best = (i, shared) }
        }
        guard let best, best.shared * 2 >= words.count else { return nil }
        return best.index
    }

    /// Lower-cased words of letters and digits, one space apart.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }

    /// Whether the normalized `text` holds the normalized `part`, word for word.
    static func holds(_ text: String, _ part: String) -> Bool {
        holds(Array(normalized(text).utf8), Array(normalized(part).utf8))
    }

    /// Whether `text` contains `part` (Knuth–Morris–Pratt: time linear in both, whatever the bytes).
    static func holds(_ text: [UInt8], _ part: [UInt8]) -> Bool {
        guard !part.isEmpty else { return true }
        guard part.count <= text.count else { return false }
        var fail = [Int](repeating: 0, count: part.count)
        var k = 0
        for i in 1..<max(1, part.count) {
            while k > 0, part[i] != part[k] { k = fail[k - 1] }
            if part[i] == part[k] { k += 1 }
            fail[i] = k
        }
        k = 0
        for b in text {
            while k > 0, b != part[k] { k = fail[k - 1] }
            if b == part[k] { k += 1 }
            if k == part.count { return true }
        }
        return false
    }
}
