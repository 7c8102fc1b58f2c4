import Testing

@testable import TUI

@Suite struct DisplayWidthTests {
    @Test func asciiIsOneColumn() {
        #expect(DisplayWidth.of("a" as Character) == 1)
        #expect(DisplayWidth.of("hello") == 5)
    }

    @Test func cjkAndFullwidthAreTwoColumns() {
        #expect(DisplayWidth.of("発" as Character) == 2)
        #expect(DisplayWidth.of("한" as Character) == 2)
        #expect(DisplayWidth.of("Ａ" as Character) == 2)
        #expect(DisplayWidth.of("発熱") == 4)
    }

    @Test func emojiAreTwoColumns() {
        #expect(DisplayWidth.of("😀" as Character) == 2)
        #expect(DisplayWidth.of("👍🏽" as Character) == 2) // with skin tone modifier
        #expect(DisplayWidth.of("👩‍⚕️" as Character) == 2) // ZWJ sequence (health worker)
        #expect(DisplayWidth.of("❤️" as Character) == 2) // text symbol + VS16
        #expect(DisplayWidth.of("🇫🇷" as Character) == 2) // flag
    }

    @Test func combiningMarksAndControlsTakeNoExtraColumns() {
        #expect(DisplayWidth.of("e\u{301}" as Character) == 1)
        #expect(DisplayWidth.of("\u{7}" as Character) == 0)
        #expect(DisplayWidth.of("\u{200B}" as Character) == 0)
        #expect(DisplayWidth.of("é") == 1)
    }

    @Test func neutralSymbolsAreOneColumn() {
        #expect(DisplayWidth.of("⚠" as Character) == 1)
        #expect(DisplayWidth.of("›" as Character) == 1)
        #expect(DisplayWidth.of("─" as Character) == 1)
    }
}
