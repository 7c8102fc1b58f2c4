import Core

/// Terminal column widths of characters, from Unicode's East Asian Width and emoji data.
///
/// We keep our own table instead of calling `wcwidth` so that layout is the same in tests
/// (where the C locale makes `wcwidth` answer -1 for anything outside ASCII) and on screen.
enum DisplayWidth {
    /// Columns one grapheme cluster takes: 0 (combining or control), 1 or 2.
    static func of(_ character: Character) -> Int {
        if character.isASCII {
            // Controls (`TerminalText.isUnsafe`) get no cell, so the console never draws them.
            return character.unicodeScalars.contains(where: TerminalText.isUnsafe) ? 0 : 1
        }
        let scalars = character.unicodeScalars
        guard let first = scalars.first, !scalars.contains(where: TerminalText.isUnsafe) else { return 0 }
        // An emoji presentation selector or a joined sequence makes the cluster one wide emoji.
        if scalars.count > 1, first.properties.isEmoji,
            scalars.contains(where: { $0.value == 0xFE0F || $0.value == 0x200D })
        {
            return 2
        }
        for scalar in scalars {
            let w = of(scalar)
            if w > 0 { return w }
        }
        return 0
    }

    /// Columns one code point takes on its own. The characters that act on a terminal or
    /// reorder text (`TerminalText.isUnsafe`: ESC, C0 and C1 controls, DEL, bidi controls)
    /// take none: the console gives them no cell, the same rule `bedside ask` prints them by.
    static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if TerminalText.isUnsafe(scalar) { return 0 }
        if v < 0x300 { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if v == 0x200B || (v >= 0x1160 && v <= 0x11FF) { return 0 } // zero width space, Hangul medial jamo
        if isWide(v) || scalar.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// Total columns of a string.
    static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15), emoji aside.
    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x16FE0...0x16FE4, 0x17000...0x187F7, 0x18800...0x18CD5, 0x1B000...0x1B16F,
            0x1F200...0x1F202, 0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251,
            0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
