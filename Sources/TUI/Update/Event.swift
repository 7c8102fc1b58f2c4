import Core

/// Everything that can happen to the app. The runtime turns terminal input, gateway
/// responses, signals and the clock into events; `update` turns events into a new state.
enum Event: Hashable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)

    /// A piece of the current question's answer stream (older streams are dropped by the runtime).
    case stream(AnswerEvent)
    /// The gateway could not answer (the reason); the replica's answer to the same question instead.
    case replayed(Answer, reason: String)

    case historyLoaded([HistoryEntry], HistoryPurpose)
    case historyFailed(BedsideError, HistoryPurpose)
    /// A stored answer opened from history (GET /v1/answers/{id}), or from the replica
    /// (`origin: .replica`) because the gateway could not be reached.
    case answerLoaded(Answer, origin: AnswerOrigin)
    case answerFailed(BedsideError)
    case sourceLoaded(SourceDocument)
    case sourceFailed(BedsideError)

    /// `/readyz` answered 200: inference is reachable.
    case online(InferenceStatus)
    /// `/readyz` answered 503, or the gateway could not be reached.
    case offline(BedsideError)

    /// The token check (`GET /v1/history?limit=1`) came back: nil when the token was
    /// accepted, else the error (401 `unauthorized` means rejected; others leave it unknown).
    case tokenChecked(BedsideError?)

    case exported(path: String)
    case exportFailed(String)

    /// The clock, four times a second: spinner frames, message expiry, readiness polling.
    case tick
    /// SIGINT from outside the terminal (Ctrl-C itself arrives as a key in raw mode).
    case interrupt
    /// SIGTERM or SIGHUP: leave now, restoring the terminal.
    case terminate
}

/// Why history is being loaded; the same endpoint feeds three features.
enum HistoryPurpose: Hashable, Sendable {
    /// The history view (`h`, Ctrl-R).
    case browse
    /// ↑/↓ through past questions in the question line.
    case recall
    /// Offline with no cached answer: the nearest past questions to this one.
    case suggestions(question: String)
}
