import Core
import Testing

@testable import TUI

@Suite struct NavigationTests {
    @Test func numberKeyOpensTheCitedSource() {
        let s = Fixtures.answered()
        let (pending, effects) = update(s, .key(.character("2")))
        #expect(effects == [.loadSource(chunkID: 12)])
        #expect(pending.pendingSource?.citationNumber == 2)
        #expect(pending.citationSelection == 1)
    }

    @Test func enterInTheCitationsPaneOpensTheSelectedSource() {
        var (s, _) = Fixtures.press([.tab, .character("j")], Fixtures.answered())
        #expect(s.focus == .citations)
        #expect(s.citationSelection == 1)
        let effects: [Effect]
        (s, effects) = update(s, .key(.enter))
        #expect(effects == [.loadSource(chunkID: 12)])
    }

    @Test func missingCitationNumberSaysSo() {
        let (s, effects) = update(Fixtures.answered(), .key(.character("7")))
        #expect(effects.isEmpty)
        #expect(s.message?.text == "There is no citation [7].")
    }

    @Test func loadedSourceOpensTheViewerScrolledToThePassage() throws {
        let (doc, _) = Fixtures.sourceDocument()
        var s = update(Fixtures.answered(), .key(.character("1"))).0
        s = update(s, .sourceLoaded(doc)).0
        #expect(s.screen == .source)
        let v = try #require(s.source)
        #expect(v.highlight == doc.start..<doc.end)
        // The passage is on line 31 of the document: the view scrolls near it, not to the top.
        #expect(v.scroll > 20)
        #expect(v.highlightLine >= v.scroll)
        #expect(v.highlightLine < v.scroll + Geometry.body(s).content.height)
    }

    @Test func aSourceForAnotherRequestIsIgnored() {
        let (doc, _) = Fixtures.sourceDocument(chunkID: 99)
        let s = update(update(Fixtures.answered(), .key(.character("1"))).0, .sourceLoaded(doc)).0
        #expect(s.screen == .main)
    }

    @Test func nAndNJumpBetweenCitedPassages() {
        let (doc, _) = Fixtures.sourceDocument()
        let text = doc.documentText
        let r = text.range(of: "Suite 20")!
        let start = text.utf8.distance(from: text.utf8.startIndex, to: r.lowerBound)
        let citations = [
            Fixtures.citation(1, chunk: 11, start: doc.start, end: doc.end),
            Fixtures.citation(2, chunk: 12, start: start, end: start + 8),
            Fixtures.citation(3, doc: "other", chunk: 30),
        ]
        var s = Fixtures.answered(Fixtures.answer(citations: citations))
        s = update(update(s, .key(.character("1"))).0, .sourceLoaded(doc)).0
        // n: passage [2] is in the same document; it is highlighted in place.
        var effects: [Effect]
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects.isEmpty)
        #expect(s.source?.citationNumber == 2)
        #expect(s.source?.highlight == start..<(start + 8))
        // n again: passage [3] is in another document, which is requested.
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects == [.loadSource(chunkID: 30)])
        // N from [2] goes back to [1].
        (s, effects) = update(s, .key(.character("N")))
        #expect(s.source?.citationNumber == 1)
        #expect(s.source?.highlight == doc.start..<doc.end)
    }

    @Test func escapeLeavesTheSourceViewer() {
        let (doc, _) = Fixtures.sourceDocument()
        var s = update(update(Fixtures.answered(), .key(.character("1"))).0, .sourceLoaded(doc)).0
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.screen == .main)
        #expect(s.source == nil)
    }

    @Test func searchInTheSourceWithNAndN() {
        let (doc, _) = Fixtures.sourceDocument()
        var s = update(update(Fixtures.answered(), .key(.character("1"))).0, .sourceLoaded(doc)).0
        (s, _) = Fixtures.press([.character("/")] + "suite 2".map { .character($0) } + [.enter], s)
        #expect(s.search?.editing == false)
        #expect(s.search?.term == "suite 2")
        let matches = Update.Search.matches(s).ranges
        #expect(matches.count == 11) // "Suite 2" and "Suite 20" to "Suite 29"
        let first = s.search!.current
        (s, _) = Fixtures.press([.character("n")], s)
        #expect(s.search!.current == (first + 1) % matches.count)
        #expect(s.source?.citationNumber == 1) // n steps through matches, not passages, while searching
        (s, _) = Fixtures.press([.character("N"), .character("N")], s)
        #expect(s.search!.current == (first - 1 + matches.count) % matches.count)
        // Esc clears the search first, then leaves.
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.search == nil)
        #expect(s.screen == .source)
    }

    @Test func searchInTheAnswerScrollsToMatches() {
        var s = Fixtures.answered(width: 60, height: 12)
        (s, _) = Fixtures.press([.character("/"), .character("r"), .character("e"), .character("a"), .enter], s)
        #expect(Update.Search.matches(s).ranges.count == 1)
        #expect(s.search?.current == 0)
        (s, _) = Fixtures.press([.character("n")], s)
        #expect(s.search?.current == 0)
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.search == nil)
        let (none, _) = Fixtures.press([.character("n")], s)
        #expect(none.message?.text == "Press / to search.")
    }

    @Test func scrollingTheAnswer() {
        var long = Fixtures.answer()
        long.sentences = (1...40).map { AnswerSentence(text: "Sentence number \($0) about fluids [1].", citations: [1]) }
        var s = Fixtures.answered(long, width: 60, height: 14)
        #expect(s.answerScroll == 0)
        (s, _) = Fixtures.press([.character("j"), .character("j")], s)
        #expect(AnswerLayout(s).top == 2)
        (s, _) = Fixtures.press([.character("k")], s)
        #expect(AnswerLayout(s).top == 1)
        (s, _) = Fixtures.press([.character("G")], s)
        let layout = AnswerLayout(s)
        #expect(layout.top == layout.maxTop)
        #expect(layout.maxTop > 0)
        (s, _) = Fixtures.press([.character("g")], s)
        #expect(AnswerLayout(s).top == 0)
        (s, _) = Fixtures.press([.pageDown], s)
        #expect(AnswerLayout(s).top == AnswerLayout(s).viewport.height - 1)
    }

    @Test func historyOpensFiltersAsYouTypeAndOpensTheStoredAnswer() {
        var (s, effects) = Fixtures.press([.escape, .character("h")], Fixtures.state())
        #expect(s.screen == .history)
        #expect(effects == [.loadHistory(query: nil, limit: Update.historyLimit, purpose: .browse)])
        s = update(s, .historyLoaded(Fixtures.history(["Fluids in sepsis", "Paracetamol dose", "Sepsis antibiotics"]), .browse)).0
        #expect(s.history.filtered.count == 3)
        (s, _) = Fixtures.press([.character("/")] + "seps".map { .character($0) }, s)
        #expect(s.history.filterEditing)
        #expect(s.history.filtered.map(\.question) == ["Fluids in sepsis", "Sepsis antibiotics"])
        (s, _) = Fixtures.press([.down], s)
        #expect(s.history.selectedEntry?.question == "Sepsis antibiotics")
        (s, effects) = update(s, .key(.enter))
        #expect(effects == [.loadAnswer(id: "h2")])
        #expect(s.screen == .main)
        #expect(s.phase == .loading(question: "Sepsis antibiotics"))
    }

    @Test func ctrlROpensHistoryFromTheQuestionLineAndEscapeCloses() {
        var (s, _) = Fixtures.press([.control("r")], Fixtures.state())
        #expect(s.screen == .history)
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.screen == .main)
    }

    @Test func historyLoadFailureIsShown() {
        var (s, _) = Fixtures.press([.control("r")], Fixtures.state())
        s = update(s, .historyFailed(BedsideError(.unauthorized, "The gateway refused the token."), .browse)).0
        #expect(RootView.render(s).text.contains("Could not load the history: The gateway refused the token."))
    }

    @Test func helpOverlayOpensScrollsAndCloses() {
        var (s, _) = Fixtures.press([.escape, .character("?")], Fixtures.state(width: 80, height: 20))
        #expect(s.overlay == .help(scroll: 0))
        (s, _) = Fixtures.press([.character("j")], s)
        #expect(s.overlay == .help(scroll: 1))
        // Keys do not leak to the panes underneath.
        (s, _) = Fixtures.press([.character("h")], s)
        #expect(s.screen == .main)
        (s, _) = Fixtures.press([.escape], s)
        #expect(s.overlay == nil)
    }

    @Test func quitIsImmediateWhenIdle() {
        let (s, effects) = Fixtures.press([.escape, .character("q")], Fixtures.state())
        #expect(effects == [.quit])
        #expect(s.quitting)
    }

    @Test func quitAsksWhileStreaming() {
        var s = update(Fixtures.type("question", into: Fixtures.state()), .key(.enter)).0
        var effects: [Effect]
        (s, effects) = update(s, .key(.character("q")))
        #expect(effects.isEmpty)
        #expect(s.overlay == .confirmQuit)
        #expect(RootView.render(s).text.contains("Quit Bedside?"))
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects.isEmpty)
        #expect(s.overlay == nil)
        #expect(s.phase.isStreaming)
        // Ctrl-C asks too, and a second Ctrl-C confirms.
        (s, effects) = update(s, .key(.control("c")))
        #expect(s.overlay == .confirmQuit)
        (s, effects) = update(s, .key(.control("c")))
        #expect(effects == [.quit])
    }

    @Test func sigtermQuitsAtOnceEvenWhileStreaming() {
        let s = update(Fixtures.type("question", into: Fixtures.state()), .key(.enter)).0
        let (after, effects) = update(s, .terminate)
        #expect(effects == [.quit])
        #expect(after.quitting)
        let (asked, _) = update(s, .interrupt)
        #expect(asked.overlay == .confirmQuit)
    }

    @Test func exportNeedsACompleteAnswer() {
        let (s, effects) = Fixtures.press([.escape, .character("e")], Fixtures.state())
        #expect(effects.isEmpty)
        #expect(s.message?.text == "There is no complete answer to export yet.")
        let answer = Fixtures.answer()
        let (_, exported) = update(Fixtures.answered(answer), .key(.character("e")))
        #expect(exported == [.export(answer)])
    }

    @Test func resizeUpdatesTheSizeAndKeepsThePassageInView() throws {
        let (doc, _) = Fixtures.sourceDocument()
        var s = update(update(Fixtures.answered(), .key(.character("1"))).0, .sourceLoaded(doc)).0
        s = update(s, .resize(width: 50, height: 12)).0
        #expect(s.size == TerminalSize(width: 50, height: 12))
        let v = try #require(s.source)
        #expect(v.wrapWidth == Geometry.body(s).content.width)
        #expect(v.highlightLine >= v.scroll && v.highlightLine < v.scroll + Geometry.body(s).content.height)
    }

    @Test func keysBelowTheMinimumSizeOnlyQuit() {
        var s = Fixtures.state(width: 30, height: 8)
        (s, _) = Fixtures.press([.character("x")], s)
        #expect(s.question.text.isEmpty)
        let (_, effects) = update(s, .key(.character("q")))
        #expect(effects == [.quit])
    }
}
