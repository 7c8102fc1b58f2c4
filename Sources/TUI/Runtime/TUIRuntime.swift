import APIClient
import Core
import Foundation

/// Runs the app: feeds events to `update`, carries out its effects, draws each new state.
/// It owns the only mutable state outside `AppState` (tasks, the terminal) and lives on
/// the main actor with curses. The terminal and the API client are parameters, so tests run
/// the whole loop with an in-memory terminal and a scripted client.
@MainActor
final class TUIRuntime {
    /// What wakes the main loop.
    enum Inbox: Sendable {
        /// Keys are waiting on the terminal.
        case input
        /// An event from a background task; `stream` tags answer-stream events so pieces of a
        /// cancelled stream are dropped.
        case event(Event, stream: Int?)
        case tick
    }

    private(set) var state: AppState
    private var drawnState: AppState?
    private let gateway: ReplicatingGateway
    /// The last probe found the gateway itself unreachable: the replica answers first
    /// (within the frame budget) until a probe finds it again.
    private var gatewayDown = false
    private let terminal: any TerminalBackend
    private let color: Bool
    /// How often `.tick` is sent (spinner, message expiry, readiness probes); nil sends none.
    private let tickInterval: Duration?
    /// Whether SIGINT/SIGTERM/SIGHUP become events (the real console; not inside a test process).
    private let handlesSignals: Bool
    /// During a long burst of events, a frame is still drawn once this much time has passed.
    private let longestFrameGap: Duration
    private let exportDirectory: String
    private let now: @Sendable () -> Date
    let sink = Mailbox<Inbox>()
    /// When a frame last reached the terminal; a long burst of events still draws every so often.
    private var drawnAt = ContinuousClock.now
    private var streamTask: Task<Void, Never>?
    private var streamGeneration = 0
    private var loads: [Int: Task<Void, Never>] = [:]
    private var nextTaskID = 0
    private let trace: TUITrace?
    /// When the current batch of keys was read (the start of Enter-to-screen).
    private var inputAt = ContinuousClock.now

    /// - Parameters:
    ///   - client: the Bedside API; the replica in `options` stands behind it.
    ///   - terminal: where frames go and keys come from.
    init(
        options: TUIOptions, client: any BedsideAPI, terminal: any TerminalBackend, color: Bool,
        tickInterval: Duration? = .milliseconds(1000 / Update.ticksPerSecond), handlesSignals: Bool = true,
        longestFrameGap: Duration = .milliseconds(50),
        trace: TUITrace? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        gateway = ReplicatingGateway(client: client, replica: options.replica)
        self.terminal = terminal
        self.color = color
        self.tickInterval = tickInterval
        self.handlesSignals = handlesSignals
        self.longestFrameGap = longestFrameGap
        self.trace = trace
        exportDirectory = options.exportDirectory
        self.now = now
        state = AppState(info: options.statusInfo, size: TerminalSize(width: 80, height: 24))
    }

    func run() async throws {
        try terminal.start(color: color) { [sink] in sink.yield(.input) }
        let signals =
            handlesSignals
            ? SignalWatcher { [sink] sig in sink.yield(.event(sig == SIGINT ? .interrupt : .terminate, stream: nil)) } : nil
        let ticker = tickInterval.map { interval in
            Task { [sink] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    sink.yield(.tick)
                }
            }
        }
        defer {
            ticker?.cancel()
            streamTask?.cancel()
            for task in loads.values { task.cancel() }
            signals?.cancel()
            sink.finish()
            terminal.stop()
        }

        let (initial, effects) = Update.start(info: state.info, size: terminal.size)
        state = initial
        effects.forEach(perform)
        draw()

        for await item in sink.stream {
            let stillQueued = sink.took()
            switch item {
            case .input:
                inputAt = .now
                readKeys()
            case .tick:
                readKeys() // picks up KEY_RESIZE even when no key was pressed
                dispatch(.tick)
            case .event(let event, let stream):
                if let stream, stream != streamGeneration { continue }
                if stream != nil { trace?.received() }
                dispatch(event)
            }
            if state.quitting { break }
            // Draw once the burst is over (or at least every 50 ms while it lasts).
            if state != drawnState && (stillQueued == 0 || ContinuousClock.now - drawnAt > longestFrameGap) { draw() }
        }
    }

    private func readKeys() {
        for input in terminal.readInput() {
            switch input {
            case .key(.control("l")):
                // Ctrl-L repaints everything, for a screen garbled by another program's output.
                terminal.invalidate()
                draw()
            case .key(let key): dispatch(.key(key))
            case .resize:
                terminal.invalidate()
                let size = terminal.size
                dispatch(.resize(width: size.width, height: size.height))
            }
            if state.quitting { return }
        }
    }

    private func dispatch(_ event: Event) {
        let (next, effects) = update(state, event)
        state = next
        effects.forEach(perform)
    }

    private func draw() {
        terminal.draw(RootView.render(state))
        drawnState = state
        drawnAt = .now
        trace?.drew(state)
    }

    // MARK: - Effects

    private func perform(_ effect: Effect) {
        switch effect {
        case .query(let request, let noCache):
            trace?.asked(inputAt: inputAt)
            streamTask?.cancel()
            streamGeneration += 1
            let generation = streamGeneration
            // Detached: the request goes out at once, on another thread, while this actor
            // draws the "searching" frame, instead of waiting behind that draw.
            let down = gatewayDown
            streamTask = Task.detached { [gateway, sink] in
                // The gateway was unreachable at the last probe: replay at once when the
                // replica has the answer (the probe notices when the gateway is back).
                if down, !noCache, let replayed = await gateway.replay(question: request.question) {
                    sink.yield(.event(.replayed(replayed, reason: ReplicatingGateway.downError(gateway.client).message), stream: generation))
                    return
                }
                var sawText = false
                do {
                    for try await event in gateway.client.query(request, noCache: noCache) {
                        if case .delta = event { sawText = true }
                        if case .done(let answer) = event {
                            // Kept on its own task: asking the next question must not cancel it.
                            Task.detached { await gateway.keep(answer) }
                        }
                        sink.yield(.event(.stream(event), stream: generation))
                    }
                } catch is CancellationError {
                } catch {
                    let e = ReplicatingGateway.bedsideError(error)
                    if !sawText, ReplicatingGateway.isOffline(e), let replayed = await gateway.replay(question: request.question) {
                        sink.yield(.event(.replayed(replayed, reason: e.message), stream: generation))
                    } else {
                        sink.yield(.event(.stream(.error(e)), stream: generation))
                    }
                }
            }
        case .cancelQuery:
            streamTask?.cancel()
            streamTask = nil
            streamGeneration += 1
        case .loadHistory(let query, let limit, let purpose):
            let down = gatewayDown
            let failed: @Sendable (BedsideError) -> Event = { .historyFailed($0, purpose) }
            background(orElse: failed) { gateway in
                let (entries, offline) = try await gateway.history(query: query, limit: limit, preferReplica: down)
                return (offline.map { [.offline($0)] } ?? []) + [.historyLoaded(entries, purpose)]
            }
        case .loadAnswer(let id):
            let down = gatewayDown
            background(orElse: Event.answerFailed) { gateway in
                let (answer, offline) = try await gateway.answer(id: id, preferReplica: down)
                if let offline { return [.offline(offline), .answerLoaded(answer, origin: .replica)] }
                return [.answerLoaded(answer, origin: .history)]
            }
        case .loadSource(let chunkID):
            let down = gatewayDown
            let version = state.info.indexVersion ?? 0
            background(orElse: Event.sourceFailed) { gateway in
                let (document, offline) = try await gateway.source(chunkID: chunkID, indexVersion: version, preferReplica: down)
                return (offline.map { [.offline($0)] } ?? []) + [.sourceLoaded(document)]
            }
        case .checkReady:
            background { [weak self] gateway in
                let event: Event
                var unreachable = false
                do {
                    if let status = try await gateway.client.ready() {
                        event = .online(status)
                    } else {
                        event = .offline(
                            BedsideError(
                                .inferenceUnavailable,
                                "The gateway at \(gateway.client.displayAddress) answers, but its inference (the model and index behind it) is not ready; cached answers still replay."
                            ))
                    }
                } catch {
                    let e = ReplicatingGateway.bedsideError(error)
                    unreachable = ReplicatingGateway.isUnreachable(e)
                    event = .offline(e)
                }
                await self?.setGatewayDown(unreachable)
                return [event]
            }
        case .checkToken:
            // One history entry: authenticated, cheap, and not written to the audit trail.
            // Any error but a 401 (a 429 aside) leaves the token's standing as it was.
            background(orElse: Event.tokenChecked) { gateway in
                _ = try await gateway.client.history(query: nil, limit: 1)
                return [.tokenChecked(nil)]
            }
        case .export(let answer):
            let directory = exportDirectory
            let date = now()
            background { _ in
                do { return [.exported(path: try MarkdownExport.write(answer, to: directory, exportedAt: date))] } catch {
                    return [.exportFailed(String(describing: error))]
                }
            }
        case .quit:
            state.quitting = true
        }
    }

    private func setGatewayDown(_ down: Bool) { gatewayDown = down }

    /// Runs a request off the main actor and posts its resulting events, or the event
    /// `failed` makes of the error it throws.
    private func background(
        orElse failed: (@Sendable (BedsideError) -> Event)? = nil,
        _ work: @escaping @Sendable (ReplicatingGateway) async throws -> [Event]
    ) {
        let id = nextTaskID
        nextTaskID += 1
        loads[id] = Task { [weak self, gateway, sink] in
            let events: [Event]
            do {
                events = try await work(gateway)
            } catch {
                events = failed.map { [$0(ReplicatingGateway.bedsideError(error))] } ?? []
            }
            if !Task.isCancelled { for event in events { sink.yield(.event(event, stream: nil)) } }
            _ = self?.loads.removeValue(forKey: id)
        }
    }
}
