import Core

extension Update {
    /// Key handling. Text fields (question line, `/` prompt, history filter) take printable
    /// keys as text; everywhere else single letters are commands, as in lazygit and k9s.
    enum Keys {
        static func handle(_ key: Key, _ s: inout AppState) -> [Effect] {
            if key == .control("c") { return requestQuit(&s) }
            if let overlay = s.overlay { return Overlays.handle(key, overlay, &s) }
            if s.size.isTooSmall { return key == .character("q") ? requestQuit(&s) : [] }
            if let search = s.search, search.editing { return Search.promptKey(key, &s) }
            switch s.screen {
            case .source: return SourceKeys.handle(key, &s)
            case .history: return HistoryKeys.handle(key, &s)
            case .main: return s.focus == .question ? questionKey(key, &s) : navigationKey(key, &s)
            }
        }

        /// `q`, Ctrl-C, SIGINT: quit at once, or ask first while an answer streams.
        /// Asked twice (or answered `y`), it quits.
        static func requestQuit(_ s: inout AppState) -> [Effect] {
            if s.phase.isStreaming && s.overlay != .confirmQuit {
                s.overlay = .confirmQuit
                return []
            }
            s.overlay = nil
            s.quitting = true
            return [.quit]
        }

        // MARK: Question line

        static func questionKey(_ key: Key, _ s: inout AppState) -> [Effect] {
            switch key {
            case .enter:
                return submit(&s)
            case .escape:
                s.recall.stopBrowsing()
                s.focus = .answer
            case .tab:
                s.focus = next(s.focus, by: 1)
            case .backTab:
                s.focus = next(s.focus, by: -1)
            case .up, .control("p"):
                if let q = s.recall.older(current: s.question.text) { s.question.setText(q) }
            case .down, .control("n"):
                if let q = s.recall.newer() { s.question.setText(q) }
            case .pageUp:
                scrollAnswer(by: -max(1, AnswerLayout(s).viewport.height - 1), &s)
            case .pageDown:
                scrollAnswer(by: max(1, AnswerLayout(s).viewport.height - 1), &s)
            case .control("r"):
                return openHistory(&s)
            case .function(1):
                s.overlay = .help(scroll: 0)
            default:
                if LineEditing.apply(key, to: &s.question) { s.recall.stopBrowsing() }
            }
            return []
        }

        static func submit(_ s: inout AppState) -> [Effect] {
            let q = s.question.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !q.isEmpty else {
                Update.show("Type a question first.", error: false, &s)
                return []
            }
            guard q.count <= QueryRequest.maxQuestionLength else {
                Update.show("The question is too long (\(q.count) characters; the limit is \(QueryRequest.maxQuestionLength)).", error: true, &s)
                return []
            }
            return ask(q, noCache: false, &s)
        }

        /// Starts a question: the previous stream (if any) is replaced by the runtime.
        static func ask(_ question: String, noCache: Bool, _ s: inout AppState) -> [Effect] {
            s.recall.remember(question)
            s.phase = .streaming(StreamingAnswer(question: question))
            Update.resetAnswerView(&s)
            s.answerFollow = true
            s.focus = .answer
            s.message = nil
            return [.query(QueryRequest(question: question), noCache: noCache)]
        }

        /// `i`, `:`, Enter: a fresh, empty question line (a new question is what comes next);
        /// ↑ there recalls the last question for editing. Tab into the line keeps its text.
        static func openQuestionLine(_ s: inout AppState) {
            s.focus = .question
            s.question = LineEditor()
            s.recall.stopBrowsing()
        }

        static func next(_ pane: Pane, by step: Int) -> Pane {
            let all = Pane.allCases
            let i = all.firstIndex(of: pane) ?? 0
            return all[(i + step + all.count) % all.count]
        }

        // MARK: Answer and citations panes

        static func navigationKey(_ key: Key, _ s: inout AppState) -> [Effect] {
            let page = max(1, AnswerLayout(s).viewport.height - 1)
            let inCitations = s.focus == .citations
            switch key {
            case .tab: s.focus = next(s.focus, by: 1)
            case .backTab: s.focus = next(s.focus, by: -1)
            case .character("i"), .character(":"):
                openQuestionLine(&s)
            case .enter:
                if inCitations {
                    let list = s.phase.citations
                    if list.indices.contains(s.citationSelection) { return openCitation(list[s.citationSelection], from: list, &s) }
                } else {
                    openQuestionLine(&s)
                }
            case .character("j"), .down:
                if inCitations { moveCitation(by: 1, &s) } else { scrollAnswer(by: 1, &s) }
            case .character("k"), .up:
                if inCitations { moveCitation(by: -1, &s) } else { scrollAnswer(by: -1, &s) }
            case .pageDown, .character(" "), .control("f"): scrollAnswer(by: page, &s)
            case .pageUp, .control("b"): scrollAnswer(by: -page, &s)
            case .control("d"): scrollAnswer(by: max(1, page / 2), &s)
            case .control("u"): scrollAnswer(by: -max(1, page / 2), &s)
            case .character("g"), .home:
                if inCitations {
                    s.citationSelection = 0
                } else {
                    s.answerScroll = 0
                    s.answerFollow = false
                }
            case .character("G"), .end:
                if inCitations {
                    s.citationSelection = max(0, s.phase.citations.count - 1)
                } else {
                    s.answerFollow = true
                    // Follow mode shows the bottom; remember where that is so `k` moves from there.
                    s.answerScroll = AnswerLayout(s).maxTop
                }
            case .character(let c) where c.isASCII && c.isNumber && c != "0":
                return openNumbered(Int(String(c)) ?? 1, &s)
            case .character("/"):
                s.search = SearchState(target: .answer)
            case .character("n"): Search.step(1, &s)
            case .character("N"): Search.step(-1, &s)
            case .character("e"): return export(&s)
            case .character("h"), .control("r"): return openHistory(&s)
            case .character("?"), .function(1): s.overlay = .help(scroll: 0)
            case .character("q"): return requestQuit(&s)
            case .character("r"):
                guard let q = s.phase.question, !s.phase.isStreaming else { return [] }
                s.question.setText(q)
                return ask(q, noCache: true, &s)
            case .escape:
                if s.search != nil { s.search = nil } else if inCitations { s.focus = .answer }
            case .character(let c) where c.isLetter:
                Update.show("Press i (or Enter) to type a question; ? lists the keys.", error: false, &s)
            default:
                break
            }
            return []
        }

        static func scrollAnswer(by delta: Int, _ s: inout AppState) {
            let layout = AnswerLayout(s)
            let newTop = max(0, min(layout.top + delta, layout.maxTop))
            s.answerScroll = newTop
            // Scrolling to the very bottom of a streaming answer resumes following it.
            s.answerFollow = s.phase.isStreaming && newTop == layout.maxTop && delta > 0
        }

        static func moveCitation(by delta: Int, _ s: inout AppState) {
            let count = s.phase.citations.count
            guard count > 0 else { return }
            s.citationSelection = max(0, min(count - 1, s.citationSelection + delta))
        }

        /// `1`-`9`: the nth past question when offline suggestions are shown, else citation n.
        static func openNumbered(_ n: Int, _ s: inout AppState) -> [Effect] {
            if case .offline(let o) = s.phase, let list = o.suggestions, !list.isEmpty {
                guard n <= list.count else { return [] }
                return openHistoryEntry(list[n - 1], &s)
            }
            let list = s.phase.citations
            guard let c = list.first(where: { $0.n == n }) ?? (list.indices.contains(n - 1) ? list[n - 1] : nil) else {
                Update.show(list.isEmpty ? "No citations to open." : "There is no citation [\(n)].", error: false, &s)
                return []
            }
            if s.screen == .main, let i = list.firstIndex(of: c) { s.citationSelection = i }
            return openCitation(c, from: list, &s)
        }

        /// Asks the gateway for the cited passage in its document.
        static func openCitation(_ c: Citation, from list: [Citation], _ s: inout AppState) -> [Effect] {
            s.pendingSource = PendingSource(
                chunkID: c.chunkID, citationNumber: c.n, citations: list,
                highlight: c.end > c.start ? c.start..<c.end : nil)
            if c.chunkID <= 0 {
                // Cited by a RAG service (serve --inference grpc://) from a document not in the local index: its own text.
                Update.sourceLoaded(
                    SourceDocument(
                        chunkID: c.chunkID, documentID: c.sourceID, title: c.title, section: c.section, passage: c.text,
                        documentText: c.text, start: 0, end: c.text.utf8.count), &s)
                return []
            }
            return [.loadSource(chunkID: c.chunkID)]
        }

        static func openHistory(_ s: inout AppState) -> [Effect] {
            s.screen = .history
            // A fresh view (no filter, top row) showing the last list until the new one loads.
            s.history = HistoryViewState(entries: s.history.entries)
            if s.search?.target == .source { s.search = nil }
            return [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .browse)]
        }

        static func openHistoryEntry(_ entry: HistoryEntry, _ s: inout AppState) -> [Effect] {
            var effects: [Effect] = []
            if s.phase.isStreaming { effects.append(.cancelQuery) }
            s.phase = .loading(question: entry.question)
            s.question.setText(entry.question)
            s.screen = .main
            s.focus = .answer
            s.source = nil
            Update.resetAnswerView(&s)
            effects.append(.loadAnswer(id: entry.answerID))
            return effects
        }

        static func export(_ s: inout AppState) -> [Effect] {
            guard let answer = s.phase.answer else {
                Update.show("There is no complete answer to export yet.", error: false, &s)
                return []
            }
            return [.export(answer)]
        }
    }
}
