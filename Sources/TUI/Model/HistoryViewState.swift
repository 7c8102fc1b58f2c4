import Core

/// The history view: past questions, filtered as you type.
struct HistoryViewState: Hashable, Sendable {
    /// nil while loading.
    var entries: [HistoryEntry]?
    var error: String?
    var filter = LineEditor()
    /// True while `/` has the filter field focused.
    var filterEditing = false
    var selection = 0

    /// Entries whose question contains every word of the filter (case-insensitive).
    var filtered: [HistoryEntry] {
        guard let entries else { return [] }
        let words = filter.text.lowercased().split(whereSeparator: \.isWhitespace)
        guard !words.isEmpty else { return entries }
        return entries.filter { entry in
            let q = entry.question.lowercased()
            return words.allSatisfy { q.contains($0) }
        }
    }

    var selectedEntry: HistoryEntry? {
        let list = filtered
        return list.indices.contains(selection) ? list[selection] : nil
    }

    mutating func clampSelection() {
        selection = max(0, min(selection, filtered.count - 1))
    }
}
