import Core

/// Finds which passage of a local document a service's citation quotes.
public enum PassageMatch {
    /// The index of the passage among `passages` that holds `cited` (or is held by it), else the
    /// one sharing the most words with it when that covers at least half of the cited words; nil
    /// when none does (the citation then carries its own text).
    public static func best(for cited: String, among passages: [String]) -> Int? {
        let needle = normalized(cited)
        guard !needle.isEmpty else { return nil }
        let normalizedPassages = passages.map(normalized)
        if let i = normalizedPassages.firstIndex(where: { !$0.isEmpty && ($0.contains(needle) || needle.contains($0)) }) { return i }
        let words = Set(needle.split(separator: " "))
        var best: (index: Int, shared: Int)?
        for (i, p) in normalizedPassages.enumerated() {
            let shared = words.intersection(p.split(separator: " ")).count
            if shared > (best?.shared ?? 0) { best = (i, shared) }
        }
        guard let best, best.shared * 2 >= words.count else { return nil }
        return best.index
    }

    /// Lower-cased words of letters and digits, one space apart.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
    }
}
