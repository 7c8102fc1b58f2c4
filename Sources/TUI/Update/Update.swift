import Core

/// The app's only state transition: pure, so every behaviour is tested without a terminal
/// or a network. The runtime feeds it events and carries out the effects it returns.
func update(_ state: AppState, _ event: Event) -> (AppState, [Effect]) {
    var s = state
    let effects = Update.apply(event, to: &s)
    return (s, effects)
}

enum Update {
    /// Ticks per second (the runtime's clock).
    static let ticksPerSecond = 4
    /// How often `/readyz` is polled while online: every second, so a gateway that goes away
    /// shows as OFFLINE within about a second with no question asked (a refused connection
    /// fails at once; a hung one after `GatewayClient.Timeouts.ready`).
    static let readyIntervalOnline = 1 * ticksPerSecond
    static let readyIntervalOffline = 1 * ticksPerSecond
    /// How often the token is checked while the gateway is reachable: each check spends one
    /// request of the subject's rate limit (a 401 spends none), so less often than `/readyz`.
    static let tokenCheckInterval = 5 * ticksPerSecond

    /// While offline the probe backs off from one tick to `readyIntervalOffline`, so a
    /// gateway that comes back is seen within about a second, without hammering one that does not.
    static func readyInterval(_ s: AppState) -> Int {
        guard s.connectivity.isOffline else { return readyIntervalOnline }
        return min(readyIntervalOffline, 1 << min(s.offlineProbes, 8))
    }
    /// How long a status message stays.
    static let messageTicks = 12 * ticksPerSecond
    /// How many past questions the history view and the offline suggestions read.
    static let historyLimit = 200

    /// The first state and the effects to run at startup (readiness, past questions for ↑).
    static func start(info: StatusInfo, size: TerminalSize) -> (AppState, [Effect]) {
        var s = AppState(info: info, size: size)
        s.readyCheckInFlight = true
        s.lastReadyCheckTick = 0
        return (s, [.checkReady, .loadHistory(query: nil, limit: historyLimit, purpose: .recall)])
    }

    static func apply(_ event: Event, to s: inout AppState) -> [Effect] {
        switch event {
        case .key(let key):
            return Keys.handle(key, &s)
        case .resize(let width, let height):
            s.size = TerminalSize(width: max(0, width), height: max(0, height))
            relayoutSource(&s)
            return []
        case .stream, .replayed:
            return Stream.handle(event, &s)
        case .historyLoaded(let entries, let purpose):
            return historyLoaded(entries, purpose, &s)
        case .historyFailed(let error, let purpose):
            historyFailed(error, purpose, &s)
            return []
        case .answerLoaded(let answer, let origin):
            guard case .loading = s.phase else { return [] }
            s.phase = .answered(answer, origin: origin)
            s.question.setText(answer.question)
            resetAnswerView(&s)
            return []
        case .answerFailed(let error):
            if case .loading(let q) = s.phase {
                s.phase = .failed(FailedAnswer(question: q, error: error, partialText: "", citations: []))
            }
            show(error.message, error: true, &s)
            return []
        case .sourceLoaded(let document):
            sourceLoaded(document, &s)
            return []
        case .sourceFailed(let error):
            s.pendingSource = nil
            show("Could not open the source: \(error.message)", error: true, &s)
            return []
        case .online(let status):
            s.connectivity = .online
            s.readyCheckInFlight = false
            s.offlineProbes = 0
            if !status.model.isEmpty { s.info.model = status.model }
            s.info.indexVersion = status.indexVersion
            return TokenProbe.due(&s)
        case .offline(let error):
            s.connectivity = .offline(reason: error.message)
            s.readyCheckInFlight = false
            s.offlineProbes += 1
            // With the gateway gone nothing is known about the token; with only its inference
            // down the gateway still checks tokens.
            if error.code == .gatewayUnreachable {
                s.token = .unchecked
                return []
            }
            return TokenProbe.due(&s)
        case .tokenChecked(let error):
            TokenProbe.checked(error, &s)
            return []
        case .exported(let path):
            // File name first, then the folder it went to (the message wraps when long).
            let slash = path.lastIndex(of: "/")
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            show("Exported \(name) to \(directory)", error: false, &s)
            return []
        case .exportFailed(let reason):
            show("Export failed: \(reason)", error: true, &s)
            return []
        case .tick:
            return tick(&s)
        case .interrupt:
            return Keys.requestQuit(&s)
        case .terminate:
            s.quitting = true
            return [.quit]
        }
    }

    // MARK: - Shared helpers

    static func show(_ text: String, error: Bool, _ s: inout AppState) {
        s.message = StatusMessage(text: text, isError: error, shownAt: s.ticks)
    }

    static func resetAnswerView(_ s: inout AppState) {
        s.answerScroll = 0
        s.answerFollow = false
        s.citationSelection = 0
        if s.search?.target == .answer { s.search = nil }
    }

    private static func tick(_ s: inout AppState) -> [Effect] {
        s.ticks += 1
        if let m = s.message, s.ticks - m.shownAt >= messageTicks { s.message = nil }
        let interval = readyInterval(s)
        if !s.readyCheckInFlight, s.ticks - (s.lastReadyCheckTick ?? -interval) >= interval {
            s.readyCheckInFlight = true
            s.lastReadyCheckTick = s.ticks
            return [.checkReady]
        }
        return []
    }

    private static func historyLoaded(_ entries: [HistoryEntry], _ purpose: HistoryPurpose, _ s: inout AppState) -> [Effect] {
        switch purpose {
        case .browse:
            guard s.screen == .history else { return [] }
            s.history.entries = entries
            s.history.error = nil
            s.history.clampSelection()
        case .recall:
            s.recall.appendOlder(entries.map(\.question))
        case .suggestions(let question):
            s.recall.appendOlder(entries.map(\.question))
            guard case .offline(var o) = s.phase, o.question == question else { return [] }
            o.suggestions = HistoryRanking.nearest(to: question, in: entries)
            s.phase = .offline(o)
        }
        return []
    }

    private static func historyFailed(_ error: BedsideError, _ purpose: HistoryPurpose, _ s: inout AppState) {
        switch purpose {
        case .browse:
            s.history.entries = []
            s.history.error = error.message
        case .recall:
            break
        case .suggestions(let question):
            if case .offline(var o) = s.phase, o.question == question {
                o.suggestions = []
                s.phase = .offline(o)
            }
        }
    }

    static func sourceLoaded(_ document: SourceDocument, _ s: inout AppState) {
        guard let pending = s.pendingSource, pending.chunkID == document.chunkID else { return }
        s.pendingSource = nil
        // The reader moved on to the history meanwhile: do not yank them back.
        guard s.screen != .history else { return }
        // The document's own offsets for the chunk win: they index the text we display.
        let range = document.end > document.start ? document.start..<document.end : (pending.highlight ?? 0..<0)
        s.source = SourceViewState(
            document: document, citations: pending.citations, citationNumber: pending.citationNumber,
            highlight: range, screenReader: s.info.screenReader,
            spans: s.phase.answer?.sentences.flatMap(\.spans) ?? [])
        s.screen = .source
        if s.search?.target == .source { s.search = nil }
        relayoutSource(&s)
    }

    /// Rewraps the source for the current content width, keeping the passage in view when
    /// the width changed or the reader had not scrolled.
    static func relayoutSource(_ s: inout AppState) {
        guard var v = s.source else { return }
        let content = Geometry.body(s).content
        let widthChanged = v.wrapWidth != max(2, content.width)
        v.layout(width: max(2, content.width))
        if widthChanged || v.scroll == 0 {
            v.scrollToHighlight(height: content.height)
        } else {
            v.scroll = v.clampScroll(v.scroll, height: content.height)
        }
        s.source = v
    }
}
