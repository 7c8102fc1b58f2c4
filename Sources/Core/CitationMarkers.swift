import Foundation

/// The one citation-marker grammar: `[3]`, `[1, 2]`, `[1][2]` (two markers), `[2-4]`,
/// `[Source 1]`; numbers 1 to 999. The verifier reads the model's markers with it and the
/// console highlights with it, so what the console shows as a citation is what was checked
/// as one. (Verified answers carry only `[n]`: `CitationVerifier.cite` writes them.)
///
/// Hand-parsed rather than a regular expression so that anything else in brackets (`[sic]`,
/// `[mmHg]`, `[0]`, a Markdown link) is left alone.
public enum CitationMarkers {
    public struct Marker: Hashable, Sendable {
        /// UTF-8 byte range of the marker, brackets included.
        public var start: Int
        public var end: Int
        public var numbers: [Int]
    }

    /// Markers in order of appearance.
    public static func find(_ bytes: [UInt8]) -> [Marker] {
        var out: [Marker] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0x5B else {
                i += 1
                continue
            } // [
            var j = i + 1
            while j < bytes.count, j - i <= 40, bytes[j] != 0x5D, bytes[j] != 0x5B, bytes[j] != 0x0A { j += 1 }
            if j < bytes.count, bytes[j] == 0x5D, let numbers = parse(bytes[(i + 1)..<j]) {
                out.append(Marker(start: i, end: j + 1, numbers: numbers))
                i = j + 1
            } else {
                i += 1
            }
        }
        return out
    }

    /// The numbers inside a marker's brackets, or nil when it is not a citation.
    static func parse(_ inner: ArraySlice<UInt8>) -> [Int]? {
        var s = String(decoding: inner, as: UTF8.self).lowercased().trimmingCharacters(in: .whitespaces)
        for prefix in ["sources", "source", "refs", "ref", "doc", "#"] where s.hasPrefix(prefix) {
            s = String(s.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            break
        }
        let separators: Set<Character> = [",", ";", " "]
        var numbers: [Int] = []
        for raw in s.split(whereSeparator: { separators.contains($0) }) {
            let token = String(raw)
            if token == "and" || token == "&" { continue }
            if let n = Int(token), n > 0, n < 1000 {
                numbers.append(n)
                continue
            }
            let parts = token.split(whereSeparator: { $0 == "-" || $0 == "–" })
            if parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a > 0, b >= a, b - a <= 20 {
                numbers += Array(a...b)
                continue
            }
            return nil
        }
        return numbers.isEmpty ? nil : numbers
    }
}
