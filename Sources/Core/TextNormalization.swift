import Foundation

extension String {
    /// Case- and space-folded form of a question, for cache keys and history matching:
    /// lowercased, diacritics kept, runs of whitespace collapsed, trailing punctuation dropped.
    public var normalizedQuestion: String { Self.normalizedASCII(self) ?? Self.normalizedWalk(self) }

    /// The folding over `Character`s, for any text.
    static func normalizedWalk(_ text: String) -> String {
        let lowered = text.lowercased()
        var out = ""
        out.reserveCapacity(lowered.utf8.count)
        var pendingSpace = false
        for ch in lowered {
            if ch.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            out.append(ch)
        }
        while let last = out.last, "?.!".contains(last) { out.removeLast() }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// The same folding byte by byte for an all-ASCII question (nearly every one), which
    /// costs a tenth of the `Character` walk and Foundation's trim on the cached-answer path;
    /// nil when `text` is not ASCII. The tests compare the two on random ASCII.
    static func normalizedASCII(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            var pendingSpace = false
            for b in bytes {
                guard b < 0x80 else { return nil }
                if b == 0x20 || (0x09...0x0D).contains(b) {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace {
                    out.append(0x20)
                    pendingSpace = false
                }
                out.append((0x41...0x5A).contains(b) ? b | 0x20 : b)
            }
            while let last = out.last, last == UInt8(ascii: "?") || last == UInt8(ascii: ".") || last == UInt8(ascii: "!") { out.removeLast() }
            // Runs of whitespace are single spaces by now, so only a space can end `out`.
            while out.last == 0x20 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
