import Core

extension Update {
    /// The answer stream of the current question: citations, deltas, then done or error.
    /// Events that arrive when no stream is running (a late piece of a cancelled one) are dropped.
    enum Stream {
        static func handle(_ event: Event, _ s: inout AppState) -> [Effect] {
            guard case .streaming(var st) = s.phase else { return [] }
            switch event {
            case .stream(.citations(let citations)):
                st.citations = citations
                s.phase = .streaming(st)
            case .stream(.delta(let text)):
                st.text += text
                s.phase = .streaming(st)
            case .stream(.done(let answer)):
                done(answer, question: st.question, &s)
            case .stream(.error(let error)):
                return failed(error, st, &s)
            case .replayed(let answer, let reason):
                var a = answer
                if a.question.isEmpty { a.question = st.question }
                s.phase = .answered(a, origin: .replica)
                s.answerScroll = 0
                s.answerFollow = false
                s.citationSelection = 0
                s.connectivity = .offline(reason: reason)
            default:
                break
            }
            return []
        }

        private static func done(_ answer: Answer, question: String, _ s: inout AppState) {
            var answer = answer
            if answer.question.isEmpty { answer.question = question }
            s.phase = .answered(answer, origin: .live)
            // Read from the top once complete, unless the reader had scrolled away.
            if s.answerFollow { s.answerScroll = 0 }
            s.answerFollow = false
            s.citationSelection = 0
            s.token = .accepted
            if answer.stale {
                s.connectivity = .offline(
                    reason: "The gateway at \(s.info.gateway) answers, but its inference does not; answers come from its cache.")
            } else if !answer.cached {
                s.connectivity = .online
            }
            if !answer.model.isEmpty { s.info.model = answer.model }
            if answer.indexVersion > 0 { s.info.indexVersion = answer.indexVersion }
        }

        private static func failed(_ error: BedsideError, _ st: StreamingAnswer, _ s: inout AppState) -> [Effect] {
            s.answerFollow = false
            if error.code == .unauthorized { TokenProbe.rejected(error, &s) }
            let offline = error.code == .inferenceUnavailable || error.code == .gatewayUnreachable
            if offline { s.connectivity = .offline(reason: error.message) }
            if offline && st.text.isEmpty {
                // 503 with no cached answer, or no gateway and nothing in the replica:
                // offline, offer the nearest past questions.
                s.phase = .offline(OfflineAnswer(question: st.question, error: error, suggestions: nil))
                s.answerScroll = 0
                return [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .suggestions(question: st.question))]
            }
            s.phase = .failed(FailedAnswer(question: st.question, error: error, partialText: st.text, citations: st.citations))
            return []
        }
    }
}
