/// A frame of terminal cells that views draw into. Tests read it as text; the curses
/// terminal draws only the cells that changed since the previous frame.
struct ScreenBuffer: Equatable, Sendable {
    let width: Int
    let height: Int
    private(set) var cells: [Cell]
    /// Where the caret should be shown; nil hides it.
    var cursor: CursorPosition?

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    subscript(x: Int, y: Int) -> Cell {
        guard x >= 0, y >= 0, x < width, y < height else { return .blank }
        return cells[y * width + x]
    }

    /// Puts one character at (x, y), clipped to `clipMaxX`. Returns the columns used.
    /// A wide character that would cross the clip edge becomes a space; a character that
    /// overwrites half of a wide one blanks its other half.
    @discardableResult
    mutating func put(_ character: Character, width w: Int, x: Int, y: Int, style: CellStyle, clipMaxX: Int? = nil) -> Int {
        let limit = min(clipMaxX ?? width, width)
        guard y >= 0, y < height, x >= 0, x < limit, w > 0 else { return 0 }
        if w == 2 && x + 1 >= limit {
            setCell(x, y, Cell(character: " ", width: 1, style: style))
            return 1
        }
        setCell(x, y, Cell(character: character, width: UInt8(w), style: style))
        if w == 2 { setCell(x + 1, y, Cell(character: " ", width: 0, style: style)) }
        return w
    }

    private mutating func setCell(_ x: Int, _ y: Int, _ cell: Cell) {
        let i = y * width + x
        let old = cells[i]
        // Overwriting the right half of a wide character: blank its left half.
        if old.width == 0 && x > 0 && cell.width != 0 {
            cells[i - 1] = Cell(character: " ", width: 1, style: cells[i - 1].style)
        }
        // Overwriting the left half of a wide character: blank its right half.
        if old.width == 2 && x + 1 < width && cell.width != 2 {
            cells[i + 1] = Cell(character: " ", width: 1, style: cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// Writes text on one row from x, clipped at `maxWidth` columns; returns columns written.
    /// Control characters are skipped; tabs become a space.
    @discardableResult
    mutating func write(_ text: some StringProtocol, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        let clip = maxWidth.map { x + max(0, $0) } ?? width
        var column = x
        for ch in text {
            let c: Character = ch == "\t" ? " " : ch
            let w = DisplayWidth.of(c)
            if w == 0 { continue }
            if column + w > clip { break }
            column += put(c, width: w, x: column, y: y, style: style, clipMaxX: clip)
        }
        return column - x
    }

    /// Fills a rectangle with one character and style.
    mutating func fill(_ rect: Rect, with character: Character = " ", style: CellStyle = .plain) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) {
                setCell(x, y, Cell(character: character, width: 1, style: style))
            }
        }
    }
}
