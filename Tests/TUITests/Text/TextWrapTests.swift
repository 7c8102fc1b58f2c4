import Testing

@testable import TUI

@Suite struct TextWrapTests {
    func wrap(_ text: String, _ width: Int) -> [String] {
        var t = StyledText()
        t.append(text)
        return t.wrapped(width: width).map { String(t.characters[$0]) }
    }

    func widths(_ lines: [String]) -> [Int] { lines.map { DisplayWidth.of($0) } }

    @Test func wrapsAtSpaces() {
        #expect(wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"])
    }

    @Test func keepsHardNewlinesAndEmptyParagraphs() {
        #expect(wrap("one\n\ntwo", 10) == ["one", "", "two"])
    }

    @Test func cutsWordsLongerThanTheLine() {
        #expect(wrap("abcdefghijkl", 5) == ["abcde", "fghij", "kl"])
    }

    @Test func wrapsCJKWithoutSpacesAndNeverSplitsAWideCharacter() {
        let lines = wrap("敗血症性ショックでは輸液を行う", 7)
        // 7 columns hold three wide characters (6 columns), never three and a half.
        #expect(lines == ["敗血症", "性ショ", "ックで", "は輸液", "を行う"])
        #expect(widths(lines).allSatisfy { $0 <= 7 })
    }

    @Test func breaksBetweenLatinAndCJK() {
        let lines = wrap("dose 輸液量 30 mL/kg", 8)
        #expect(widths(lines).allSatisfy { $0 <= 8 })
        #expect(lines.joined().replacingOccurrences(of: " ", with: "") == "dose輸液量30mL/kg")
    }

    @Test func wrapsEmojiAsWideCharacters() {
        let lines = wrap("ok 😀😀😀 done", 5)
        #expect(widths(lines).allSatisfy { $0 <= 5 })
        #expect(lines == ["ok 😀", "😀😀", "done"])
    }

    @Test func lineContainingFindsTheLineOfACharacter() {
        var t = StyledText()
        t.append("aaa bbb ccc")
        let lines = t.wrapped(width: 4)
        #expect(lines.count == 3)
        #expect(TextWrap.line(containing: 0, in: lines) == 0)
        #expect(TextWrap.line(containing: 4, in: lines) == 1)
        #expect(TextWrap.line(containing: 10, in: lines) == 2)
    }

    @Test func searchIsCaseInsensitive() {
        let folded = TextSearch.fold(Array("Fluid, FLUID, fluids"))
        #expect(TextSearch.matches(of: "fluid", in: folded).count == 3)
        #expect(TextSearch.matches(of: "", in: folded).isEmpty)
        #expect(TextSearch.matches(of: "absent", in: folded).isEmpty)
    }

    @Test func documentTextMapsByteOffsetsToCharacters() {
        let text = DocumentText("café 発熱 x")
        // "café " is 6 bytes (é is 2), "発" starts at byte 6, "熱" at 9, " " at 12, "x" at 13.
        #expect(text.characterIndex(atByteOffset: 6) == 5)
        #expect(text.characterIndex(atByteOffset: 9) == 6)
        #expect(text.characterIndex(atByteOffset: 13) == 8)
        #expect(text.characterIndex(atByteOffset: 7) == 5) // inside 発
        #expect(text.isCharacter(5, inBytes: 6..<12))
        #expect(!text.isCharacter(7, inBytes: 6..<12))
    }
}
