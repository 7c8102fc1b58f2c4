import Core
import Testing

@testable import TUI

/// The source viewer with sentence-level citations: supporting sentences strong (reverse),
/// the rest of the passage light (bold, not reverse), `n`/`N` stepping through them.
@Suite struct SourceSpanViewTests {
    static let sentences = [
        "Call for help early.",
        "Give 30 mL/kg of crystalloid (輸液) within 3 hours.",
        "Reassess the patient often.",
        "Check lactate again après 2 heures.",
    ]

    /// A document with 40 lines before the passage (so the viewer must scroll) and multibyte
    /// text before and inside it (offsets are UTF-8 bytes).
    static func document() -> (doc: SourceDocument, passageStart: Int, sentenceRanges: [Range<Int>]) {
        let before = (1...40).map { "Ligne \($0): café, 発熱と頻脈 — context." }.joined(separator: "\n") + "\n\n"
        let passage = sentences.joined(separator: " ")
        let after = "\n\n" + (1...40).map { "Suite \($0): more text." }.joined(separator: "\n")
        let text = before + passage + after
        let start = before.utf8.count
        var ranges: [Range<Int>] = []
        var offset = start
        for s in sentences {
            ranges.append(offset..<(offset + s.utf8.count))
            offset += s.utf8.count + 1
        }
        let doc = SourceDocument(
            chunkID: 11, documentID: "sepsis", title: "Sepsis guideline", section: "Fluids", passage: passage,
            documentText: text, start: start, end: start + passage.utf8.count,
            spans: [.init(chunkID: 11, section: "Fluids", start: start, end: start + passage.utf8.count)])
        return (doc, start, ranges)
    }

    static func answer(spans: [SourceSpan], citations: [Citation]? = nil) -> Answer {
        let (doc, _, _) = document()
        var a = Fixtures.answer(
            citations: citations ?? [
                Fixtures.citation(1, chunk: 11, start: doc.start, end: doc.end, text: doc.passage),
                Fixtures.citation(2, doc: "other", chunk: 30),
            ])
        a.sentences[0].spans = spans.filter { $0.citation == 1 }
        a.sentences[1].spans = spans.filter { $0.citation != 1 }
        return a
    }

    static func span(_ i: Int) -> SourceSpan {
        let r = document().sentenceRanges[i]
        return SourceSpan(citation: 1, documentID: "sepsis", start: r.lowerBound, end: r.upperBound)
    }

    static func opened(_ a: Answer, width: Int = 160, height: Int = 30, screenReader: Bool = false) -> AppState {
        var s = update(Fixtures.answered(a, width: width, height: height, screenReader: screenReader), .key(.character("1"))).0
        s = update(s, .sourceLoaded(document().doc)).0
        return s
    }

    /// The characters of the content rows with `attribute`.
    static func content(_ s: AppState, _ attribute: CellAttributes, without other: CellAttributes = []) -> String {
        let frame = RootView.render(s)
        let content = Geometry.body(s).content
        var out = ""
        for y in content.y..<content.maxY {
            for x in content.x..<content.maxX {
                let cell = frame[x, y]
                if cell.width > 0, cell.style.attributes.contains(attribute), cell.style.attributes.isDisjoint(with: other) {
                    out.append(cell.character)
                }
            }
        }
        return out
    }

    @Test func supportingSentencesAreStrongAndTheRestOfThePassageLight() throws {
        let s = Self.opened(Self.answer(spans: [Self.span(1), Self.span(3)]))
        #expect(s.screen == .source)
        // Strong: exactly the two supporting sentences, not one character more.
        #expect(Self.content(s, .reverse) == Self.sentences[1] + Self.sentences[3])
        // Light: the other sentences of the passage, bold and not reversed.
        let light = Self.content(s, .bold, without: .reverse)
        #expect(light.contains(Self.sentences[0]))
        #expect(light.contains(Self.sentences[2]))
        #expect(!light.contains("crystalloid") && !light.contains("lactate"))
        // The two styles differ in what the terminal is told (attributes), not only in colour.
        #expect(HighlightStyles.supporting.attributes != HighlightStyles.passage.attributes)
        #expect(RootView.render(s).text.contains("supporting sentence 1 of 2"))
    }

    @Test func theViewerOpensOnTheFirstSupportingSentence() throws {
        let s = Self.opened(Self.answer(spans: [Self.span(3)]), height: 20)
        let v = try #require(s.source)
        #expect(v.supporting == [Self.document().sentenceRanges[3]])
        let height = Geometry.body(s).content.height
        #expect(v.scroll > 30)
        #expect(v.focusLine >= v.scroll && v.focusLine < v.scroll + height)
        #expect(RootView.render(s).text.contains("Check lactate again après 2 heures."))
    }

    @Test func nAndNStepThroughSupportingSentencesThenPassages() throws {
        var s = Self.opened(Self.answer(spans: [Self.span(3), Self.span(1)]))
        #expect(s.source?.spanIndex == 0)
        #expect(s.source?.focus == Self.document().sentenceRanges[1])
        var effects: [Effect]
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects.isEmpty)
        #expect(s.source?.citationNumber == 1)
        #expect(s.source?.spanIndex == 1)
        #expect(s.source?.focus == Self.document().sentenceRanges[3])
        #expect(RootView.render(s).text.contains("supporting sentence 2 of 2"))
        // Past the last supporting sentence: the next cited passage (another document).
        (s, effects) = update(s, .key(.character("n")))
        #expect(effects == [.loadSource(chunkID: 30)])
        // Back from the first sentence: the previous passage wraps around to [2] too.
        var back = Self.opened(Self.answer(spans: [Self.span(3), Self.span(1)]))
        (back, effects) = update(back, .key(.character("N")))
        #expect(effects == [.loadSource(chunkID: 30)])
        // ] steps passages directly.
        (back, effects) = update(Self.opened(Self.answer(spans: [Self.span(1)])), .key(.character("]")))
        #expect(effects == [.loadSource(chunkID: 30)])
    }

    @Test func goingBackToAPassageInTheSameDocumentLandsOnItsLastSentence() throws {
        let (doc, _, ranges) = Self.document()
        let later = doc.documentText.utf8.count - 10
        let citations = [
            Fixtures.citation(1, chunk: 11, start: doc.start, end: doc.end, text: doc.passage),
            Fixtures.citation(2, chunk: 12, start: later, end: later + 8),
        ]
        var s = Self.opened(Self.answer(spans: [Self.span(1), Self.span(2)], citations: citations))
        (s, _) = Fixtures.press([.character("n"), .character("n")], s)
        #expect(s.source?.citationNumber == 2)
        #expect(s.source?.supporting == [])
        #expect(RootView.render(s).text.contains("next/prev passage"))
        (s, _) = update(s, .key(.character("N")))
        #expect(s.source?.citationNumber == 1)
        #expect(s.source?.focus == ranges[2])
    }

    @Test func nStepsSearchMatchesWhileASearchIsActive() throws {
        var s = Self.opened(Self.answer(spans: [Self.span(1), Self.span(3)]))
        (s, _) = Fixtures.press([.character("/")] + "Suite".map { .character($0) } + [.enter], s)
        let before = s.source?.spanIndex
        (s, _) = update(s, .key(.character("n")))
        #expect(s.source?.spanIndex == before)
        #expect(s.search?.current == 1)
    }

    @Test func answersWithoutSpansShowTheWholePassageStrong() throws {
        let s = Self.opened(Self.answer(spans: []))
        #expect(s.source?.supporting == [])
        #expect(Self.content(s, .reverse) == Self.document().doc.passage)
        #expect(Self.content(s, .bold, without: .reverse).isEmpty)
        #expect(RootView.render(s).text.contains("next/prev passage"))
        #expect(!RootView.render(s).text.contains("supporting sentence"))
    }

    @Test func spansOutsideThePassageAreIgnored() throws {
        let (doc, _, _) = Self.document()
        let outside = SourceSpan(citation: 1, documentID: "sepsis", start: 0, end: 20)
        let straddling = SourceSpan(citation: 1, documentID: "sepsis", start: doc.start - 5, end: doc.start + 10)
        let otherDocument = SourceSpan(citation: 1, documentID: "asthma", start: doc.start, end: doc.start + 10)
        let s = Self.opened(Self.answer(spans: [outside, straddling, otherDocument]))
        #expect(s.source?.supporting == [])
        #expect(Self.content(s, .reverse) == doc.passage)
    }

    @Test func screenReaderModeLabelsTheSupportingSentences() {
        let s = Self.opened(Self.answer(spans: [Self.span(1)]), width: 220, screenReader: true)
        let text = RootView.render(s).text.replacingOccurrences(of: "\n", with: " ")
        #expect(
            text.contains(
                "[cited passage] " + Self.sentences[0] + " [supporting sentence] " + Self.sentences[1]
                    + " [end of supporting sentence] " + Self.sentences[2]))
        #expect(text.contains(Self.sentences[3] + " [end of cited passage]"))
    }

    @Test func theKeyBarAndHelpNameTheSentenceSteps() {
        let s = Self.opened(Self.answer(spans: [Self.span(1)]))
        #expect(RootView.render(s).text.contains("next/prev sentence"))
        let help = KeyBindings.lines.map { $0.0 + " " + $0.1 }.joined(separator: "\n")
        #expect(help.contains("next / previous supporting sentence"))
        #expect(help.contains("]  [ next / previous cited passage"))
    }
}
