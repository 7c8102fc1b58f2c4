import Core
import Testing

@testable import TUI

@Suite struct RenderTests {
    static let boxCharacters = Set("┌┐└┘─│┏┓┗┛━┃")

    @Test func mainScreenHasStableTitlesAndStatus() throws {
        var s = Fixtures.answered(width: 120, height: 30)
        s = update(s, .online(InferenceStatus(ready: true, indexVersion: 3, model: "extractive", retriever: "bm25"))).0
        let frame = RootView.render(s)
        let text = frame.text
        #expect(text.contains("Answer"))
        #expect(text.contains("Citations"))
        #expect(text.contains("Question"))
        #expect(frame.row(0).contains("ONLINE"))
        #expect(frame.row(0).contains("127.0.0.1:8787"))
        #expect(frame.row(0).contains("model extractive"))
        #expect(frame.row(0).contains("index demo v3"))
        // The narrow side pane shows each source on two lines: title, then section and score.
        let first = try #require(frame.find("[1] Sepsis guideline"))
        #expect(frame.row(first.y + 1).contains("Fluids"))
        #expect(frame.row(first.y + 1).contains("9.00"))
        #expect(text.contains("[2] Fluid therapy"))
        // Stacked below the answer on a narrower terminal, one line each.
        let stacked = RootView.render(Fixtures.answered(width: 90, height: 30)).text
        #expect(stacked.contains("[1] Sepsis guideline › Fluids"))
        #expect(stacked.contains("[2] Fluid therapy › Reassessment"))
        #expect(text.contains("Give 30 mL/kg of crystalloid within 3 hours [1]."))
    }

    @Test func startupScreenInvitesTypingWithTheCaretInTheQuestionLine() throws {
        let frame = RootView.render(Fixtures.state(width: 80, height: 24))
        #expect(frame.text.contains("Type a question and press Enter"))
        #expect(frame.row(0).contains("CHECKING"))
        let caret = try #require(frame.cursor)
        #expect(caret.y == 2)
    }

    @Test func citationMarkersAreBold() throws {
        let frame = RootView.render(Fixtures.answered(width: 120, height: 30))
        let y = try #require(frame.find("Give 30 mL/kg")?.y)
        let bold = frame.text(withAttribute: .bold, row: y)
        #expect(bold.contains("[1]"))
        #expect(!bold.contains("Give"))
        #expect(frame[frame.find("[1].")!.x, y].style.role == .marker)
    }

    @Test func unsupportedSentencesAreMarkedWithoutColour() {
        let frame = RootView.render(Fixtures.answered(Fixtures.answer(unsupported: true), width: 120, height: 30))
        #expect(frame.text.contains("Albumin always helps. (unsupported)"))
        let underlined = frame.text(withAttribute: .underline)
        #expect(underlined.contains("Albumin always helps."))
        #expect(!underlined.contains("Reassess"))
    }

    @Test func staleCachedAndRefusedAnswersAreLabelled() {
        let stale = RootView.render(Fixtures.answered(Fixtures.answer(cached: true, stale: true), width: 120, height: 30))
        #expect(stale.row(0).contains("STALE"))
        #expect(stale.row(0).contains("OFFLINE"))
        // Issue 21: plain words, not "inference is unavailable".
        #expect(stale.text.contains("[STALE: the gateway's inference did not answer"))
        let cached = RootView.render(Fixtures.answered(Fixtures.answer(cached: true), width: 120, height: 30))
        #expect(cached.row(0).contains("CACHED"))
        let refused = RootView.render(Fixtures.answered(Fixtures.answer(refused: true), width: 120, height: 30))
        #expect(refused.text.contains("No supported answer."))
        #expect(refused.text.contains("Citations (nearest, not support)"))
        #expect(refused.text.contains("[1] Sepsis guideline"))
        var incomplete = Fixtures.answer()
        incomplete.incomplete = true
        #expect(RootView.render(Fixtures.answered(incomplete, width: 120, height: 30)).text.contains("[INCOMPLETE: the answer was cut short]"))
    }

    @Test func streamingShowsPartialTextAndASpinnerTitle() {
        var s = update(Fixtures.type("question", into: Fixtures.state(width: 100, height: 24)), .key(.enter)).0
        s = update(s, .citations([Fixtures.citation(1)])).0
        s = update(s, .delta("Give fluids [1]")).0
        let frame = RootView.render(s)
        #expect(frame.text.contains("Answer ⠋ streaming"))
        #expect(frame.text.contains("Give fluids [1]"))
        #expect(frame.text.contains("[Streaming: sentences appear as they are checked]"))
        #expect(frame.row(0).contains("STREAMING"))
        // Once done, the whole answer replaces the streamed sentences and the label goes.
        let done = RootView.render(update(s, .done(Fixtures.answer())).0)
        #expect(!done.text.contains("as they are checked"))
    }

    @Test func wideCharactersWrapInsideTheAnswerPane() {
        var a = Fixtures.answer()
        a.sentences = [AnswerSentence(text: "敗血症性ショックでは最初の3時間以内に30 mL/kgの晶質液を投与する [1]。😀👍🏽 確認。", citations: [1])]
        let s = Fixtures.answered(a, width: 44, height: 20)
        let frame = RootView.render(s)
        let inner = Geometry.main(s).answerContent
        // No row of the pane overflows its border; the border on the right is intact.
        for y in inner.y..<inner.maxY {
            #expect(frame[inner.maxX, y].character == "│" || frame[inner.maxX, y].character == "┃")
        }
        let joined = (inner.y..<inner.maxY).map { frame.row($0) }.joined()
        #expect(joined.contains("敗血症"))
        #expect(joined.contains("😀"))
        #expect(joined.contains("👍🏽"))
        #expect(frame.text(withAttribute: .bold).contains("[1]"))
    }

    @Test func sourceViewerHighlightsThePassageByByteOffsetsInMultibyteText() {
        let (doc, passage) = Fixtures.sourceDocument()
        var s = update(Fixtures.answered(width: 100, height: 30), .key(.character("1"))).0
        s = update(s, .sourceLoaded(doc)).0
        let frame = RootView.render(s)
        #expect(frame.text.contains("Source: Sepsis guideline"))
        #expect(frame.text.contains("Section: Fluids"))
        let reversed = (1..<frame.height).map { frame.text(withAttribute: .reverse, row: $0) }.filter { !$0.isEmpty }.joined(separator: "\n")
        // Exactly the passage is in reverse video: not one character before or after.
        #expect(reversed.replacingOccurrences(of: "\n", with: " ") == passage)
        #expect(frame.text.contains("Ligne 30: café, naïve, 発熱と頻脈"))
    }

    @Test func sourceViewerInScreenReaderModeLabelsThePassage() {
        let (doc, passage) = Fixtures.sourceDocument()
        var s = update(Fixtures.answered(width: 100, height: 30, screenReader: true), .key(.character("1"))).0
        s = update(s, .sourceLoaded(doc)).0
        let text = RootView.render(s).text
        #expect(text.contains("[cited passage] " + passage + " [end of cited passage]"))
        #expect(text.contains("Source: Sepsis guideline:"))
        #expect(!text.contains(where: { Self.boxCharacters.contains($0) }))
    }

    @Test func historyViewListsEntries() {
        var (s, _) = Fixtures.press([.control("r")], Fixtures.state(width: 100, height: 20))
        #expect(RootView.render(s).text.contains("Loading history…"))
        s = update(s, .historyLoaded(Fixtures.history(["Fluids in sepsis", "Paracetamol dose"]), .browse)).0
        let frame = RootView.render(s)
        #expect(frame.text.contains("History (2)"))
        #expect(frame.text.contains("Fluids in sepsis"))
        let y = frame.find("Fluids in sepsis")!.y
        #expect(frame.text(withAttribute: .reverse, row: y).contains("Fluids in sepsis"))
    }

    @Test func helpOverlayListsEveryKeySection() {
        var s = Fixtures.state(width: 120, height: 60)
        (s, _) = Fixtures.press([.escape, .character("?")], s)
        let text = RootView.render(s).text
        for section in KeyBindings.sections { #expect(text.contains(section.title)) }
        #expect(text.contains("Ctrl-W"))
        #expect(text.contains("export the answer and citations to Markdown"))
    }

    @Test func tooSmallTerminalShowsAPlainMessage() {
        let frame = RootView.render(Fixtures.state(width: 30, height: 8))
        let flat = frame.text.split(separator: "\n").joined(separator: " ")
        #expect(flat.contains("Bedside needs at least 40x10"))
        #expect(flat.contains("30x8"))
        #expect(!frame.text.contains("Citations"))
    }

    @Test func minimumSizeRendersEverything() {
        let frame = RootView.render(Fixtures.answered(width: 40, height: 10))
        #expect(frame.text.contains("Answer"))
        #expect(frame.text.contains("Citations"))
        #expect(frame.row(0).contains("CHECKING") || frame.row(0).contains("ONLINE"))
    }

    @Test func screenReaderLayoutIsLinearWithLabels() {
        let s = Fixtures.answered(Fixtures.answer(unsupported: true), width: 100, height: 24, screenReader: true)
        let text = RootView.render(s).text
        #expect(!text.contains(where: { Self.boxCharacters.contains($0) }))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("Status: Bedside, gateway 127.0.0.1:8787"))
        #expect(lines[1].hasPrefix("Question: How much fluid in sepsis?"))
        #expect(lines[2].hasPrefix("Answer"))
        #expect(text.contains("Citations:"))
        #expect(text.contains("score 9.00"))
        #expect(text.contains("(unsupported)"))
        #expect(lines.last!.hasPrefix("Keys: "))
    }

    @Test func offlineSuggestionsAreListed() {
        var s = update(Fixtures.type("fluid in sepsis", into: Fixtures.state(width: 100, height: 24)), .key(.enter)).0
        s = update(s, .error(BedsideError(.inferenceUnavailable, "Inference is unavailable."))).0
        #expect(RootView.render(s).text.contains("Looking for similar past questions…"))
        s = update(s, .historyLoaded(Fixtures.history(["Fluids in sepsis shock"]), .suggestions(question: "fluid in sepsis"))).0
        let text = RootView.render(s).text
        let answer = AnswerContent.build(s).string
        #expect(answer.contains("OFFLINE: the gateway at 127.0.0.1:8787 answers, but its inference"))
        #expect(answer.contains("Questions answered before still replay from the cache."))
        #expect(text.contains("1. Fluids in sepsis shock"))
        #expect(RootView.render(s).row(0).contains("OFFLINE"))
    }

    @Test func exportMessageIsShownInTheStatusLine() {
        let s = update(Fixtures.answered(), .exported(path: "/tmp/exports/bedside-x.md")).0
        #expect(RootView.render(s).text.contains("Exported bedside-x.md to /tmp/exports"))
    }

    @Test func bufferPutHandlesWideCharacterEdgesAndOverwrites() {
        var b = ScreenBuffer(width: 5, height: 1)
        b.write("ab発", x: 0, y: 0)
        #expect(b.row(0) == "ab発")
        b.write("x", x: 3, y: 0) // overwrite the right half of 発
        #expect(b.row(0) == "ab x")
        var c = ScreenBuffer(width: 3, height: 1)
        c.write("a発", x: 1, y: 0) // the wide character does not fit
        #expect(c.row(0) == " a")
    }
}
