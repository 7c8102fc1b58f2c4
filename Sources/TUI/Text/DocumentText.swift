/// A document prepared for display: characters with their column widths and UTF-8 byte
/// offsets, so that byte-offset passages (`Citation.start`/`end`) map onto screen cells
/// without searching for the passage text.
struct DocumentText: Hashable, Sendable {
    private(set) var characters: [Character] = []
    private(set) var widths: [UInt8] = []
    /// UTF-8 offset where each character starts, plus one final entry: the total length.
    private(set) var byteOffsets: [Int] = []
    /// Lowercased characters, for case-insensitive search.
    private(set) var folded: [Character] = []

    /// - Parameter markers: text inserted before the character at a byte offset (sorted by
    ///   offset), e.g. `[cited passage]` labels for screen readers; markers take the offset
    ///   they are inserted at, so highlighting and scrolling still work by byte offset.
    init(_ text: String, markers: [(offset: Int, text: String)] = []) {
        characters.reserveCapacity(text.utf8.count)
        var offset = 0
        var pending = markers[...]
        for ch in text {
            while let m = pending.first, m.offset <= offset {
                for mc in m.text { append(mc, width: UInt8(DisplayWidth.of(mc)), offset: offset) }
                pending = pending.dropFirst()
            }
            let bytes = ch.utf8.count
            // Carriage returns and tabs would break the grid: show CRLF as LF, a tab as spaces.
            if ch == "\r\n" || ch == "\r" {
                append("\n", width: 0, offset: offset)
            } else if ch == "\t" {
                append(" ", width: 1, offset: offset)
                append(" ", width: 1, offset: offset)
            } else {
                append(ch, width: ch == "\n" ? 0 : UInt8(DisplayWidth.of(ch)), offset: offset)
            }
            offset += bytes
        }
        for m in pending {
            for mc in m.text { append(mc, width: UInt8(DisplayWidth.of(mc)), offset: offset) }
        }
        byteOffsets.append(offset)
    }

    private mutating func append(_ ch: Character, width: UInt8, offset: Int) {
        characters.append(ch)
        widths.append(width)
        byteOffsets.append(offset)
        folded.append(TextSearch.fold(ch))
    }

    /// The index of the first character at byte `offset`, or of the character containing
    /// it (clamped to the text).
    func characterIndex(atByteOffset offset: Int) -> Int {
        guard !characters.isEmpty else { return 0 }
        var lo = 0
        var hi = characters.count // first index with byteOffsets[i] >= offset
        while lo < hi {
            let mid = (lo + hi) / 2
            if byteOffsets[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        if lo >= characters.count { return characters.count - 1 }
        if byteOffsets[lo] > offset { return max(0, lo - 1) }
        return lo
    }

    /// Whether character `index` lies inside the byte range.
    func isCharacter(_ index: Int, inBytes range: Range<Int>) -> Bool {
        let start = byteOffsets[index]
        return start >= range.lowerBound && start < range.upperBound
    }
}
