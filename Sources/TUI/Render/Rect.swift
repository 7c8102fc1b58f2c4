/// A rectangle of cells on the screen.
struct Rect: Hashable, Sendable {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    var maxX: Int { x + width }
    var maxY: Int { y + height }
    var isEmpty: Bool { width <= 0 || height <= 0 }

    /// The inside of a one-cell border.
    var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }

    /// The rectangle centred inside this one, no larger than it.
    func centered(width w: Int, height h: Int) -> Rect {
        let w = min(w, width)
        let h = min(h, height)
        return Rect(x: x + (width - w) / 2, y: y + (height - h) / 2, width: w, height: h)
    }
}

/// Where the terminal cursor goes after drawing (the caret of a text field).
struct CursorPosition: Hashable, Sendable {
    var x: Int
    var y: Int
}
