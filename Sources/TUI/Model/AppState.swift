import Core

/// Which full-screen view is showing.
enum Screen: Hashable, Sendable {
    case main
    case source
    case history
}

/// The panes of the main screen, in Tab order.
enum Pane: Hashable, Sendable, CaseIterable {
    case question
    case answer
    case citations
}

/// Modal boxes drawn over everything else.
enum Overlay: Hashable, Sendable {
    case help(scroll: Int)
    case confirmQuit
}

/// The terminal size in cells.
struct TerminalSize: Hashable, Sendable {
    var width: Int
    var height: Int

    /// Below this the app shows a plain message instead of its panes.
    static let minimum = TerminalSize(width: 40, height: 10)

    var isTooSmall: Bool { width < Self.minimum.width || height < Self.minimum.height }
}

/// The whole state of the app: a value, changed only by `update`.
struct AppState: Hashable, Sendable {
    var info: StatusInfo
    var size: TerminalSize
    var screen: Screen = .main
    /// Focused pane of the main screen; the question line at startup so typing works at once.
    var focus: Pane = .question
    var overlay: Overlay?

    var question = LineEditor()
    var recall = QuestionRecall()

    var phase: AnswerPhase = .empty
    /// First visible line of the answer pane.
    var answerScroll = 0
    /// Keep the newest streamed text in view until the reader scrolls.
    var answerFollow = true
    /// Selected row of the citations pane.
    var citationSelection = 0

    var search: SearchState?
    var source: SourceViewState?
    /// The chunk being fetched for the source viewer, with the citations it belongs to.
    var pendingSource: PendingSource?
    var history = HistoryViewState()

    var connectivity: Connectivity = .unknown
    var readyCheckInFlight = false
    var lastReadyCheckTick: Int?
    /// Readiness checks in a row that found the gateway or inference down (the probe backs off).
    var offlineProbes = 0
    /// What the gateway last said about the token, and when it was last asked.
    var token: TokenCheck = .unchecked
    var tokenCheckInFlight = false
    var lastTokenCheckTick: Int?
    var ticks = 0

    var message: StatusMessage?
    /// Set when the app should exit; the runtime stops after the `.quit` effect.
    var quitting = false
}
