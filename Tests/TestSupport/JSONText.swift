/// JSON text built without a throwing encoder, for request bodies and fixtures.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included (RFC 8259 escaping).
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The body of `POST /v1/query`: `{"question":…}`, with `top_k` when given.
    public static func query(_ question: String, topK: Int? = nil) -> String {
        "{\"question\":\(quoted(question))" + (topK.map { ",\"top_k\":\($0)" } ?? "") + "}"
    }
}
