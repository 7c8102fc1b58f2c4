/// A parser for a JSON object whose values are all strings, such as a JWT header.
///
/// The header decides which key verifies a token, so it is read strictly and without
/// Foundation: only string values, no duplicate names, nothing after the closing brace.
/// Anything else is refused rather than guessed at.
package enum FlatJSONObject {
    package static func parse(_ bytes: [UInt8]) -> [String: String]? {
        var p = Parser(bytes: bytes)
        return p.object()
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func object() -> [String: String]? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var out: [String: String] = [:]
            skipSpace()
            if take(UInt8(ascii: "}")) { return end() ? out : nil }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = string() else { return nil }
                guard out.updateValue(value, forKey: key) == nil else { return nil }  // duplicate name
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return end() ? out : nil
            }
        }

        mutating func end() -> Bool {
            skipSpace()
            return i == bytes.count
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == c else { return false }
            i += 1
            return true
        }

        mutating func skipSpace() {
            while i < bytes.count {
                switch bytes[i] {
                case 0x20, 0x09, 0x0A, 0x0D: i += 1
                default: return
                }
            }
        }

        static func isHexDigit(_ c: UInt8) -> Bool {
            (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
        }

        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(validating: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { return nil }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        // Exactly four hex digits, as JSON (and jwt-kit's decoder) requires: `UInt32(_:radix:)`
                        // alone would also take a sign, so `\u+032` read as "2" here and was malformed to jwt-kit.
                        guard i + 4 <= bytes.count, bytes[i..<i + 4].allSatisfy(Self.isHexDigit),
                              let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16),
                              let scalar = Unicode.Scalar(v) else { return nil }  // surrogates (lone or paired) are refused
                        i += 4
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: return nil
                    }
                default:
                    if c < 0x20 { return nil }
                    out.append(c)
                }
            }
            return nil
        }
    }
}
