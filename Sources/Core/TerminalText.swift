/// Text from documents, inference peers and users, made safe to print on a terminal.
///
/// A terminal acts on some characters instead of showing them: ESC and the 8-bit C1
/// controls (U+0080–U+009F, among them CSI U+009B, OSC U+009D and DCS U+0090) start
/// sequences that move the cursor, erase lines, retitle the window or make OSC 8 links; CR
/// and backspace overwrite what was printed; DEL and the other C0 controls do their own
/// things. The bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) make
/// the terminal show text in another order than it is stored, so a dose or a source name
/// can read differently from what it says. A document, a gRPC peer's reply or its error
/// message may hold any of these.
///
/// One rule (`isUnsafe`) decides, for every place text meets a terminal. The console (a
/// cell grid) gives such characters no cell, so they are never drawn. Printed output shows
/// each one visibly as `\u{1B}` instead of dropping it: the introducer is what makes a
/// sequence act, and without it the rest (`]8;;https://…`) is inert text; seeing it tells a
/// clinician or an operator that the source holds something odd, where silently dropping it
/// would print a text that differs from the source with nothing to show it.
public enum TerminalText {
    public enum Mode: Sendable {
        /// Several lines: newline and tab are kept (CRLF becomes a newline); every other
        /// unsafe character is shown escaped.
        case block
        /// One line: newline, CR and tab become a space, so a text cannot start a line of
        /// its own that looks like the program's output; every other unsafe character is
        /// shown escaped.
        case line
        /// Every unsafe character escaped, newline and tab included, and a backslash shown
        /// as `\\`, so that the printed text maps back to exactly one stored text (audit rows).
        case exact
    }

    /// Whether `scalar` acts on a terminal or reorders the text around it instead of
    /// showing a glyph: C0 controls, DEL, C1 controls and the bidi controls.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
        return (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }

    /// JSON text (an encoder's output) made safe to print with its values unchanged: JSON
    /// encoders escape C0 controls but leave DEL, the C1 controls and the bidi controls raw
    /// inside strings, so those (and any other raw control) are written as `\u009B`-style
    /// escapes, which decode to the same string. Newline, tab and CR outside strings are
    /// layout between tokens and are kept.
    public static func json(_ text: String) -> String {
        func raw(_ scalar: Unicode.Scalar) -> Bool { isUnsafe(scalar) && scalar != "\n" && scalar != "\t" && scalar != "\r" }
        guard text.unicodeScalars.contains(where: raw) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if raw(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` as it may be printed: every unsafe character shown as `\u{1B}` (hexadecimal
    /// code point), except the layout characters `mode` keeps.
    public static func safe(_ text: some StringProtocol, _ mode: Mode = .block) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            i += 1
            switch (mode, scalar) {
            case (.exact, "\\"):
                out += "\\\\"
                continue
            case (.block, "\n"), (.block, "\t"):
                out.unicodeScalars.append(scalar)
                continue
            case (.block, "\r") where i < scalars.count && scalars[i] == "\n":
                continue // CRLF: the newline that follows is kept
            case (.line, "\n"), (.line, "\t"):
                out += " "
                continue
            case (.line, "\r"):
                if i < scalars.count && scalars[i] == "\n" { i += 1 }
                out += " "
                continue
            default:
                break
            }
            if isUnsafe(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
