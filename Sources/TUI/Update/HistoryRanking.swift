import Core

/// Ranks past questions by word overlap with a new one, for the offline "nearest past
/// questions" list. Simple on purpose: it runs on a few hundred short strings.
enum HistoryRanking {
    /// Words that say nothing about the topic.
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in",
        "is", "it", "of", "on", "or", "should", "the", "to", "what", "when", "which", "who", "why", "with", "we",
        "you", "my", "me", "there", "this", "that", "was", "were", "will", "would", "after", "before",
    ]

    static func words(_ text: String) -> Set<String> {
        Set(
            text.normalizedQuestion
                .split(whereSeparator: { !$0.isLetter && !$0.isNumber })
                .map(String.init)
                .filter { !stopWords.contains($0) })
    }

    /// Jaccard overlap of the content words, 0 to 1.
    static func score(_ a: Set<String>, _ b: Set<String>) -> Double {
        let union = a.union(b).count
        return union == 0 ? 0 : Double(a.intersection(b).count) / Double(union)
    }

    /// The `limit` entries sharing most words with `question`, best first; one entry per
    /// question text; entries sharing no word are left out. Ties keep the newer entry first.
    static func nearest(to question: String, in entries: [HistoryEntry], limit: Int = 5) -> [HistoryEntry] {
        let target = words(question)
        guard !target.isEmpty else { return [] }
        var seen = Set<String>()
        var scored: [(entry: HistoryEntry, score: Double, order: Int)] = []
        for (i, entry) in entries.enumerated() where seen.insert(entry.question.normalizedQuestion).inserted {
            let s = score(target, words(entry.question))
            if s > 0 { scored.append((entry, s, i)) }
        }
        scored.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.entry.createdAt != b.entry.createdAt { return a.entry.createdAt > b.entry.createdAt }
            return a.order < b.order
        }
        return scored.prefix(limit).map(\.entry)
    }
}
