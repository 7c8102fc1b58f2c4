/// Text with a style per character, built by views (answer, help) and then wrapped.
struct StyledText: Hashable, Sendable {
    private(set) var characters: [Character] = []
    private(set) var widths: [UInt8] = []
    var styles: [CellStyle] = []

    mutating func append(_ text: some StringProtocol, _ style: CellStyle = .plain) {
        for ch in text {
            let c: Character = ch == "\t" ? " " : (ch == "\r\n" ? "\n" : ch)
            characters.append(c)
            widths.append(c == "\n" ? 0 : UInt8(DisplayWidth.of(c)))
            styles.append(style)
        }
    }

    /// Ends the line; `count` 2 leaves a blank line.
    mutating func newline(_ count: Int = 1) { append(String(repeating: "\n", count: count)) }

    func wrapped(width: Int) -> [Range<Int>] {
        TextWrap.lines(characters: characters, widths: widths, width: width)
    }

    /// Plain text wrapped to `width` columns, one string a line.
    static func wrap(_ text: String, width: Int) -> [String] {
        var t = StyledText()
        t.append(text)
        return t.wrapped(width: width).map { String(t.characters[$0]) }
    }

    /// Draws wrapped lines `first..<first+rect.height` into the rectangle.
    func draw(lines: [Range<Int>], from first: Int, in rect: Rect, into buffer: inout ScreenBuffer) {
        guard !rect.isEmpty else { return }
        for row in 0..<rect.height {
            let index = first + row
            guard index >= 0, index < lines.count else { break }
            var x = rect.x
            for i in lines[index] {
                let w = Int(widths[i])
                if w == 0 { continue }
                if x + w > rect.maxX { break }
                x += buffer.put(characters[i], width: w, x: x, y: rect.y + row, style: styles[i], clipMaxX: rect.maxX)
            }
        }
    }
}
