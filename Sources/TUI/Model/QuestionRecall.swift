import Core

/// ↑/↓ in the question line: the questions asked before, newest first, like a shell history.
struct QuestionRecall: Hashable, Sendable {
    /// Newest first, one entry per normalised question.
    private(set) var questions: [String] = []
    /// Position while browsing (0 = newest), nil when editing a fresh line.
    private(set) var index: Int?
    /// What was typed before browsing started, restored when ↓ goes past the newest.
    private(set) var draft = ""

    /// Records a question just asked, as the newest.
    mutating func remember(_ question: String) {
        let key = question.normalizedQuestion
        guard !key.isEmpty else { return }
        questions.removeAll { $0.normalizedQuestion == key }
        questions.insert(question, at: 0)
        index = nil
    }

    /// Adds older questions (from the gateway's history) after the ones already known.
    mutating func appendOlder(_ older: [String]) {
        var seen = Set(questions.map(\.normalizedQuestion))
        for q in older where seen.insert(q.normalizedQuestion).inserted && !q.normalizedQuestion.isEmpty {
            questions.append(q)
        }
    }

    /// ↑: the next older question, or nil at the oldest.
    mutating func older(current: String) -> String? {
        let next = (index ?? -1) + 1
        guard next < questions.count else { return nil }
        if index == nil { draft = current }
        index = next
        return questions[next]
    }

    /// ↓: the next newer question, the draft after the newest, nil when not browsing.
    mutating func newer() -> String? {
        guard let i = index else { return nil }
        if i == 0 {
            index = nil
            return draft
        }
        index = i - 1
        return questions[i - 1]
    }

    /// Typing ends browsing.
    mutating func stopBrowsing() { index = nil }
}
