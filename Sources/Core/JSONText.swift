/// JSON string literals written by hand (RFC 8259 escaping), for the places that build JSON
/// text without a throwing encoder: the gateway's log lines and the tests' request bodies.
public enum JSONText {
    /// Appends `s` as a JSON string literal, quotes included. Besides the required escapes,
    /// DEL and U+2028/U+2029 are escaped too, so a log line stays one line in any reader, and
    /// so are the C1 and bidi controls (`TerminalText.isUnsafe`), so a log read on a terminal
    /// cannot act on it.
    public static func appendString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.isUnsafe(scalar) || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var out = ""
        appendString(value, to: &out)
        return out
    }
}
