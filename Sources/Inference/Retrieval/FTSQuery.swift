/// Turns arbitrary user text into a safe FTS5 query.
///
/// User text never reaches FTS5's query syntax: it is cut into words (Unicode letters and
/// digits), stop words are dropped, and each word becomes a quoted string joined with OR,
/// so quotes, `AND`/`OR`/`NOT`/`NEAR`, `*`, `^`, `:`, parentheses and emoji are inert.
public enum FTSQuery {
    /// At most this many distinct terms are used (a 10 KB paste stays a bounded query).
    public static let maxTerms = 64

    public static let stopWords: Set<String> = [
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing",
        "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here",
        "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most",
        "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own",
        "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these",
        "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
        "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
        "s", "t", "there's", "whats", "is", "us", "may", "also", "use", "used", "using", "patient", "patients", "much", "many",
    ]

    /// Lowercased words of the text (letters, digits, and inner apostrophes/hyphens split off).
    public static func words(_ text: String) -> [String] {
        // ASCII text (nearly all of it) is cut and lowercased on its bytes, with the same
        // result as `referenceWords(_:)`: the gate and the extractive answer read every word
        // of the top passages for each question.
        var out: [String] = []
        var current: [UInt8] = []
        for b in text.utf8 {
            if b >= 0x80 { return referenceWords(text) }
            if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                current.append(b)
            } else if b >= 0x41 && b <= 0x5A {
                current.append(b + 0x20)
            } else if !current.isEmpty {
                out.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { out.append(String(decoding: current, as: UTF8.self)) }
        return out
    }

    /// `words(_:)` on Unicode scalars, for any text.
    static func referenceWords(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            let p = scalar.properties
            if p.isAlphabetic || p.numericType != nil || scalar.properties.generalCategory == .nonspacingMark {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                out.append(current.lowercased())
                current = ""
            }
        }
        if !current.isEmpty { out.append(current.lowercased()) }
        return out
    }

    /// The content terms of a question: words minus stop words, distinct, in order.
    public static func terms(_ text: String) -> [String] {
        let all = words(text).filter { $0.count <= 64 }
        let content = all.filter { !stopWords.contains($0) }
        var seen = Set<String>()
        // A question of stop words only still searches.
        return Array((content.isEmpty ? all : content).filter { seen.insert($0).inserted }.prefix(maxTerms))
    }

    /// `"term1" OR "term2" …`, or "" when there are no terms.
    public static func match(terms: [String]) -> String {
        terms.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " OR ")
    }
}
