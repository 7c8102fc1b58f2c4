import Core
import Foundation
import Testing

@testable import TUI

/// Issue 21, item 4 (console): the current search match has its own style, the key bar
/// follows the mode, `?` explains every highlight, and `i` opens an empty question line.
@Suite struct SearchAndHelpTests {
    /// The answer with its source opened in the viewer, then `/Suite` searched.
    static func searchedSource() -> AppState {
        let (doc, _) = Fixtures.sourceDocument()
        var s = Fixtures.answered(width: 100, height: 30)
        (s, _) = Fixtures.press([.tab, .character("1")], s)
        s = update(s, .sourceLoaded(doc)).0
        (s, _) = Fixtures.press([.character("/")] + "Suite".map { .character($0) } + [.enter], s)
        return s
    }

    /// Cells of each visible occurrence of `word`, by row: (row, attributes of its first cell).
    static func occurrences(_ word: String, in frame: ScreenBuffer) -> [(row: Int, attributes: CellAttributes)] {
        var out: [(Int, CellAttributes)] = []
        for y in 0..<frame.height {
            let line = frame.row(y)
            // The header's "/Suite k of m" is the search term, not a match in the text.
            guard let r = line.range(of: word), !line.contains("/" + word) else { continue }
            let x = DisplayWidth.of(line[..<r.lowerBound])
            out.append((y, frame[x, y].style.attributes))
        }
        return out
    }

    @Test func theCurrentSourceMatchLooksDifferentFromTheOthers() throws {
        var s = Self.searchedSource()
        let frame = RootView.render(s)
        let hits = Self.occurrences("Suite", in: frame)
        try #require(hits.count >= 3, "\(frame.text)")
        // Exactly one match is in reverse video (the current one); every match is bold underlined.
        #expect(hits.filter { $0.attributes.contains(.reverse) }.count == 1)
        #expect(hits.allSatisfy { $0.attributes.isSuperset(of: [.bold, .underline]) })
        let current = try #require(hits.first { $0.attributes.contains(.reverse) })
        // n moves the current match to the next one: the reverse mark moves down with it.
        (s, _) = update(s, .key(.character("n")))
        let next = Self.occurrences("Suite", in: RootView.render(s)).filter { $0.attributes.contains(.reverse) }
        #expect(next.count == 1)
        #expect(next.first.map { $0.row > current.row } == true)
    }

    @Test func insideAReverseSentenceTheCurrentMatchFlipsToPlain() {
        let over = HighlightStyles.currentMatch(over: HighlightStyles.supporting)
        let other = HighlightStyles.match(over: HighlightStyles.supporting)
        #expect(!over.attributes.contains(.reverse))
        #expect(other.attributes.contains(.reverse))
        #expect(over != other)
    }

    @Test func theCurrentAnswerMatchHasItsOwnStyle() throws {
        var s = Fixtures.answered(width: 100, height: 30)
        (s, _) = Fixtures.press([.escape, .character("/")] + "o".map { .character($0) } + [.enter], s)
        let t = AnswerContent.build(s)
        let matches = AnswerContent.searchMatches(s, in: t)
        try #require(matches.count >= 2)
        let styles = matches.map { t.styles[$0.lowerBound] }
        #expect(styles.filter { $0.attributes.contains(.reverse) }.count == 1)
        let current = s.search?.current ?? 0
        let currentStyle = styles[current]
        #expect(currentStyle.attributes.contains(.reverse))
    }

    @Test func theKeyBarFollowsTheSearchMode() {
        var s = Self.searchedSource()
        var bar = RootView.render(s).row(s.size.height - 1)
        #expect(bar.contains("n/N next/prev match"))
        #expect(!bar.contains("next/prev sentence"))
        // Esc ends the search: n/N step through the passage again.
        (s, _) = update(s, .key(.escape))
        bar = RootView.render(s).row(s.size.height - 1)
        #expect(!bar.contains("next/prev match"))
        #expect(bar.contains("n/N next/prev"))

        // The answer pane too.
        var a = Fixtures.answered(width: 100, height: 30)
        (a, _) = Fixtures.press([.escape, .character("/")] + "fluid".map { .character($0) } + [.enter], a)
        #expect(RootView.render(a).row(a.size.height - 1).contains("n/N next/prev match"))
        (a, _) = update(a, .key(.escape))
        #expect(!RootView.render(a).row(a.size.height - 1).contains("next/prev match"))
    }

    @Test func helpHasALegendOfEveryHighlightDrawnInItsOwnStyle() throws {
        let help = KeyBindings.lines.map { $0.0 + " " + $0.1 }.joined(separator: "\n")
        #expect(help.contains(HighlightStyles.legendTitle))
        for phrase in [
            "reverse video: a sentence of the cited passage that backs the answer", "bold: the rest of the cited passage",
            "underlined: another passage of this document that the same answer cites", "a sentence no cited source supports",
            "a match of the / search", "the current match",
        ] {
            #expect(help.contains(phrase), "\(phrase)")
        }
        // Every style the views use has a legend row.
        let styles = HighlightStyles.legend.map(\.style)
        for style in [
            HighlightStyles.supporting, HighlightStyles.passage, HighlightStyles.otherPassage, HighlightStyles.unsupported,
            HighlightStyles.searchMatch, HighlightStyles.currentMatch(over: .plain), AnswerContent.marker,
        ] {
            #expect(styles.contains(style))
        }
        // Drawn: scroll the overlay to its end and find the current-match sample in its own style.
        var s = Fixtures.answered(width: 120, height: 50)
        (s, _) = Fixtures.press([.escape, .character("?")], s)
        s.overlay = .help(scroll: HelpOverlay.maxScroll(s.size))
        let frame = RootView.render(s)
        let at = try #require(frame.find("current "), "\(frame.text)")
        #expect(frame[at.x, at.y].style == HighlightStyles.currentMatch(over: .plain))
        let row = try #require((0..<frame.height).first { frame.row($0).contains("source viewer, reverse video") })
        let line = frame.row(row)
        let x = DisplayWidth.of(line[..<line.range(of: "supporting")!.lowerBound])
        #expect(frame[x, row].style == HighlightStyles.supporting)
    }

    @Test func iOpensAnEmptyQuestionLineAndUpRecallsTheLastQuestion() {
        var s = Fixtures.answered(width: 100, height: 30)
        let asked = s.phase.question ?? ""
        #expect(!asked.isEmpty)
        (s, _) = Fixtures.press([.escape, .character("i")], s)
        #expect(s.focus == .question)
        #expect(s.question.text.isEmpty)
        #expect(RootView.render(s).text.contains("Type a question and press Enter"))
        (s, _) = update(s, .key(.up))
        #expect(s.question.text == asked)
        // `:` and Enter open it empty too.
        (s, _) = Fixtures.press([.escape, .character(":")], s)
        #expect(s.question.text.isEmpty)
    }
}
