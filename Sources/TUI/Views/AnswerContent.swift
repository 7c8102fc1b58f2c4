import Core

/// The answer pane's text, styled: `[n]` markers bold, unsupported sentences underlined and
/// followed by the words `(unsupported)`, flags such as STALE spelled out. Nothing here
/// relies on colour alone.
enum AnswerContent {
    static let marker = CellStyle([.bold], .marker)
    static let flag = CellStyle([.bold], .warning)
    static let muted = CellStyle([.dim], .muted)
    /// Over a streamed answer: the gateway sends each sentence only once the citation check
    /// has passed it, so what shows is checked; the whole answer (with its unsupported
    /// sentences marked) replaces it when complete.
    static let streamingLabel = "[Streaming: sentences appear as they are checked]"

    static func build(_ state: AppState) -> StyledText {
        var t = StyledText()
        switch state.phase {
        case .empty:
            if case .rejected(let reason) = state.token {
                t.append("TOKEN REJECTED: " + Update.TokenProbe.message(state.info, reason: reason), CellStyle([.bold], .error))
                t.newline(2)
            }
            if let demo = state.info.demoCorpus {
                t.append("DEMO: " + demo.notice, flag)
                t.newline(2)
            }
            t.append("Ask a question about the indexed sources and press Enter.", muted)
            t.newline(2)
            t.append("Esc leaves the question line; then ? lists every key. Ctrl-R opens past questions.", muted)
        case .loading:
            t.append("Loading the stored answer…", muted)
        case .streaming(let s):
            if s.text.isEmpty {
                t.append(s.citations.isEmpty ? "Searching the sources…" : "Writing the answer…", muted)
            } else {
                t.append(streamingLabel, muted)
                t.newline()
                appendMarked(s.text, .plain, to: &t)
            }
        case .answered(let answer, let origin):
            if origin == .replica {
                t.append(ReplicaBanner.text(answer), flag)
                t.newline()
            }
            appendAnswer(answer, origin: origin, to: &t)
        case .failed(let f):
            if !f.partialText.isEmpty {
                t.append("[INCOMPLETE: the answer was cut short]", flag)
                t.newline()
                appendMarked(f.partialText, .plain, to: &t)
                t.newline(2)
            }
            t.append("Error: \(f.error.message)", CellStyle([.bold], .error))
            if let retry = f.error.retryAfter { t.append(" Try again in \(retry) s.", CellStyle([.bold], .error)) }
            t.newline()
            if f.error.code == .unauthorized {
                // Asking again with the same token cannot help: say what can.
                t.append(
                    "The token from \(state.info.tokenSource.label) was rejected. \(state.info.tokenSource.remedy)", CellStyle([.bold], .error))
            } else {
                t.append("Press r to ask again.", muted)
            }
        case .offline(let o):
            t.append(offlineHeadline(o.error, gateway: state.info.gateway), CellStyle([.bold], .offline))
            if !o.error.message.isEmpty {
                t.newline()
                t.append(o.error.message, muted)
            }
            t.newline(2)
            switch o.suggestions {
            case nil:
                t.append("Looking for similar past questions…", muted)
            case let list? where list.isEmpty:
                t.append("No similar past questions. Press h to browse the history.", muted)
            case let list?:
                let keys = list.count == 1 ? "1" : "1-\(min(9, list.count))"
                t.append("Nearest past questions (press \(keys) to open the stored answer, h for all history):")
                for (i, entry) in list.prefix(9).enumerated() {
                    t.newline()
                    t.append("  \(i + 1). ", CellStyle([.bold], .marker))
                    t.append(entry.question)
                    if entry.refused { t.append(" (refused)", muted) }
                }
            }
        }
        applySearch(state, to: &t)
        return t
    }

    private static func appendAnswer(_ a: Answer, origin: AnswerOrigin, to t: inout StyledText) {
        var flags: [String] = []
        if a.stale {
            flags.append(
                origin == .replica
                    ? "STALE: kept on this workstation while the gateway cannot be reached; it may be out of date"
                    : "STALE: the gateway's inference did not answer; this is its cached answer and may be out of date")
        }
        if origin == .history { flags.append("FROM HISTORY") } else if a.cached && !a.stale { flags.append("CACHED") }
        if a.incomplete { flags.append("INCOMPLETE: the answer was cut short") }
        for f in flags {
            t.append("[\(f)]", flag)
            t.newline()
        }
        if !flags.isEmpty { t.newline() }
        if a.refused {
            t.append("No supported answer.", CellStyle([.bold], .normal))
            t.append(" ")
            t.append(a.answer)
            if !a.nearestSources.isEmpty {
                t.newline(2)
                t.append("The nearest sources are listed under Citations, for reading, not as support. Press 1-9 to open one.", muted)
            }
            return
        }
        if a.sentences.isEmpty {
            appendMarked(a.answer, .plain, to: &t)
        } else {
            for (i, sentence) in a.sentences.enumerated() {
                if i > 0 { t.append(" ") }
                if sentence.unsupported {
                    appendMarked(sentence.text, HighlightStyles.unsupported, to: &t)
                    t.append(" (unsupported)", CellStyle([.bold], .warning))
                } else {
                    appendMarked(sentence.text, .plain, to: &t)
                }
            }
        }
        if !a.removedCitations.isEmpty {
            t.newline(2)
            t.append("Removed citations that pointed at no source: " + a.removedCitations.map { "[\($0)]" }.joined(separator: " "), muted)
        }
        if !a.removedSentences.isEmpty {
            t.newline(2)
            t.append("Removed: states a quantity no source backs (not part of the answer):", muted)
            for r in a.removedSentences {
                t.newline()
                t.append("  - \(r.text) (\(r.reason))", muted)
            }
        }
    }

    /// What is unreachable, in plain words, and that answers given before still replay.
    static func offlineHeadline(_ error: BedsideError, gateway: String) -> String {
        let what =
            error.code == .gatewayUnreachable
            ? "the gateway at \(gateway) cannot be reached"
            : "the gateway at \(gateway) answers, but its inference (the model and index behind it) does not"
        return "OFFLINE: \(what), and no answer to this question was kept. Questions answered before still replay from the cache."
    }

    /// Appends text with its `[n]` markers in the marker style.
    static func appendMarked(_ text: String, _ style: CellStyle, to t: inout StyledText) {
        let bytes = Array(text.utf8)
        var last = 0
        for m in CitationMarkers.find(bytes) {
            t.append(String(decoding: bytes[last..<m.start], as: UTF8.self), style)
            t.append(String(decoding: bytes[m.start..<m.end], as: UTF8.self), CellStyle(style.attributes.union(marker.attributes), marker.role))
            last = m.end
        }
        t.append(String(decoding: bytes[last...], as: UTF8.self), style)
    }

    static func searchMatches(_ state: AppState, in t: StyledText) -> [Range<Int>] {
        guard let search = state.search, search.target == .answer, !search.term.isEmpty else { return [] }
        return TextSearch.matches(of: search.term, in: TextSearch.fold(t.characters))
    }

    private static func applySearch(_ state: AppState, to t: inout StyledText) {
        let matches = searchMatches(state, in: t)
        let current = matches.isEmpty ? -1 : min(state.search?.current ?? 0, matches.count - 1)
        for (k, r) in matches.enumerated() {
            for i in r.clamped(to: 0..<t.styles.count) {
                t.styles[i] = k == current ? HighlightStyles.currentMatch(over: t.styles[i]) : HighlightStyles.match(over: t.styles[i])
            }
        }
    }
}
