import Core

/// What the answer pane shows.
enum AnswerPhase: Hashable, Sendable {
    /// Nothing asked yet.
    case empty
    /// Streaming: citations arrive first, then text in pieces.
    case streaming(StreamingAnswer)
    /// A complete answer, live or replayed from history.
    case answered(Answer, origin: AnswerOrigin)
    /// A stored answer being fetched from history.
    case loading(question: String)
    /// The question failed; any text that had arrived is kept and marked incomplete.
    case failed(FailedAnswer)
    /// Inference is down and the gateway had no cached answer: offer past questions.
    case offline(OfflineAnswer)
}

enum AnswerOrigin: Hashable, Sendable {
    case live
    case history
    /// Replayed from the workstation replica because the gateway could not answer.
    case replica
}

struct StreamingAnswer: Hashable, Sendable {
    var question: String
    var citations: [Citation] = []
    var text = ""
}

struct FailedAnswer: Hashable, Sendable {
    var question: String
    var error: BedsideError
    var partialText: String
    var citations: [Citation]
}

struct OfflineAnswer: Hashable, Sendable {
    var question: String
    var error: BedsideError
    /// The nearest past questions; nil while they load.
    var suggestions: [HistoryEntry]?
}

extension AnswerPhase {
    var isStreaming: Bool {
        if case .streaming = self { return true }
        return false
    }

    /// The complete answer on screen, if any (what `e` exports).
    var answer: Answer? {
        if case .answered(let a, _) = self { return a }
        return nil
    }

    /// The question this phase is about.
    var question: String? {
        switch self {
        case .empty: nil
        case .streaming(let s): s.question
        case .answered(let a, _): a.question
        case .loading(let q): q
        case .failed(let f): f.question
        case .offline(let o): o.question
        }
    }

    /// The citations listed in the citations pane: the answer's sources, or for a refusal
    /// the nearest passages (offered for reading, not as support).
    var citations: [Citation] {
        switch self {
        case .streaming(let s): s.citations
        case .answered(let a, _): a.refused ? a.nearestSources : a.citations
        case .failed(let f): f.citations
        default: []
        }
    }

    /// True when the citations pane lists nearest sources of a refusal rather than support.
    var showsNearestSources: Bool {
        if case .answered(let a, _) = self { return a.refused }
        return false
    }
}
