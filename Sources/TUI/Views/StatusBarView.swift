/// The top line: what the app is connected to and whether answers are live.
/// `ONLINE`, `OFFLINE` and `STALE` are plain words so they read without colour and can be
/// found in a terminal capture.
enum StatusBarView {
    static func connectivityLabel(_ c: Connectivity) -> String {
        switch c {
        case .unknown: "CHECKING"
        case .online: "ONLINE"
        case .offline: "OFFLINE"
        }
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
        let connectivity = connectivityLabel(state.connectivity)
        let badge = answerBadge(state.phase)
        if info.screenReader {
            let parts = [
                "Status: Bedside", "gateway \(info.gateway)", "model \(info.model)", "index \(info.indexLabel)",
                connectivity, badge,
            ].compactMap { $0 }
            buffer.write(parts.joined(separator: ", "), x: rect.x, y: rect.y, maxWidth: rect.width)
            return
        }
        let bar = CellStyle([.reverse], .statusBar)
        buffer.fill(rect, style: bar)
        // Right side first: connectivity and the answer badge must stay visible at any width.
        var right: [(String, CellStyle)] = []
        let connRole: ColorRole = state.connectivity == .online ? .online : (state.connectivity.isOffline ? .offline : .statusBar)
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
        let left = [" Bedside", "gateway \(info.gateway)", "model \(info.model)", "index \(info.indexLabel)"]
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
