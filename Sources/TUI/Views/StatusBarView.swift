/// The top line: what the app is connected to and whether answers are live.
/// `ONLINE`, `OFFLINE`, `TOKEN REJECTED`, `DEMO` and `STALE` are plain words so they read
/// without colour and can be found in a terminal capture.
enum StatusBarView {
    /// The gateway's state as shown: a rejected token wins over ONLINE (nothing can be asked
    /// with it); an unreachable gateway shows OFFLINE, since the token is then unknown.
    static func stateLabel(_ state: AppState) -> String {
        if state.token.isRejected { return "TOKEN REJECTED" }
        switch state.connectivity {
        case .unknown: return "CHECKING"
        case .online: return "ONLINE"
        case .offline: return "OFFLINE"
        }
    }

    /// `model extractive`, or plain words while it is not known.
    static func modelLabel(_ state: AppState) -> String {
        if !state.info.model.isEmpty { return "model \(state.info.model)" }
        return state.connectivity.isOffline ? "model unknown (offline)" : "model not known yet"
    }

    /// `index bm25 v3`, or plain words while it is not known.
    static func indexLabel(_ state: AppState) -> String {
        if !state.info.indexLabel.isEmpty { return "index \(state.info.indexLabel)" }
        return state.connectivity.isOffline ? "index unknown (offline)" : "index not known yet"
    }

    /// The badge for the answer on screen: STALE, CACHED, HISTORY or STREAMING.
    static func answerBadge(_ phase: AnswerPhase) -> String? {
        switch phase {
        case .streaming: return "STREAMING"
        case .answered(let a, let origin):
            if a.stale { return "STALE" }
            if origin == .history { return "HISTORY" }
            if a.cached { return "CACHED" }
            return nil
        default: return nil
        }
    }

    static func draw(_ state: AppState, in rect: Rect, into buffer: inout ScreenBuffer) {
        let info = state.info
        let connectivity = stateLabel(state)
        let badge = answerBadge(state.phase)
        let demo = info.demoCorpus == nil ? nil : "DEMO"
        if info.screenReader {
            let parts = [
                "Status: Bedside", "gateway \(info.gateway)", modelLabel(state), indexLabel(state), demo, connectivity, badge,
            ].compactMap { $0 }
            buffer.write(parts.joined(separator: ", "), x: rect.x, y: rect.y, maxWidth: rect.width)
            return
        }
        let bar = CellStyle([.reverse], .statusBar)
        buffer.fill(rect, style: bar)
        // Right side first: connectivity and the answer badge must stay visible at any width.
        var right: [(String, CellStyle)] = []
        if let demo { right.append((demo, CellStyle([.reverse, .bold], .warning))) }
        let connRole: ColorRole =
            state.token.isRejected
            ? .error : state.connectivity == .online ? .online : (state.connectivity.isOffline ? .offline : .statusBar)
        right.append((connectivity, CellStyle([.reverse, .bold], connRole)))
        if let badge {
            right.append((badge, CellStyle([.reverse, .bold], badge == "STALE" ? .stale : .statusBar)))
        }
        let rightWidth = right.reduce(0) { $0 + DisplayWidth.of($1.0) + 3 } + 1
        var x = max(rect.x, rect.maxX - rightWidth)
        for (text, style) in right {
            buffer.write(" │ ", x: x, y: rect.y, style: bar)
            x += 3
            x += buffer.write(text, x: x, y: rect.y, style: style, maxWidth: rect.maxX - x)
        }
        let left = [" Bedside", "gateway \(info.gateway)", modelLabel(state), indexLabel(state)]
        let leftSpace = max(0, rect.width - rightWidth)
        var text = left.joined(separator: " │ ")
        if DisplayWidth.of(text) > leftSpace { text = truncate(text, to: leftSpace) }
        buffer.write(text, x: rect.x, y: rect.y, style: bar.adding(.bold), maxWidth: leftSpace)
    }

    /// Cuts text to `width` columns, ending with `…` when cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard DisplayWidth.of(text) > width else { return text }
        var out = ""
        var used = 0
        for ch in text {
            let w = DisplayWidth.of(ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        return out + "…"
    }
}
