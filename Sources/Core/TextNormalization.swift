import Foundation

extension String {
    /// Case- and space-folded form of a question, for cache keys and history matching:
    /// lowercased, diacritics kept, runs of whitespace collapsed, trailing punctuation dropped.
    public var normalizedQuestion: String {
        let lowered = lowercased()
        var out = ""
        out.reserveCapacity(lowered.utf8.count)
        var pendingSpace = false
        for ch in lowered {
            if ch.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(ch)
        }
        while let last = out.last, "?.!".contains(last) { out.removeLast() }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
