/// A bordered pane with a title in its top edge, the way lazygit frames its panels.
/// The focused pane gets a heavy border and a bold title, so focus does not depend on colour.
enum Box {
    static func draw(_ rect: Rect, title: String, focused: Bool, into buffer: inout ScreenBuffer) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let (h, v, tl, tr, bl, br): (Character, Character, Character, Character, Character, Character) =
            focused ? ("━", "┃", "┏", "┓", "┗", "┛") : ("─", "│", "┌", "┐", "└", "┘")
        let border = CellStyle(focused ? [.bold] : [], focused ? .focusBorder : .border)
        for x in rect.x..<rect.maxX {
            buffer.put(h, width: 1, x: x, y: rect.y, style: border)
            buffer.put(h, width: 1, x: x, y: rect.maxY - 1, style: border)
        }
        for y in rect.y..<rect.maxY {
            buffer.put(v, width: 1, x: rect.x, y: y, style: border)
            buffer.put(v, width: 1, x: rect.maxX - 1, y: y, style: border)
        }
        buffer.put(tl, width: 1, x: rect.x, y: rect.y, style: border)
        buffer.put(tr, width: 1, x: rect.maxX - 1, y: rect.y, style: border)
        buffer.put(bl, width: 1, x: rect.x, y: rect.maxY - 1, style: border)
        buffer.put(br, width: 1, x: rect.maxX - 1, y: rect.maxY - 1, style: border)
        guard rect.width > 6 else { return }
        let titleStyle = CellStyle(focused ? [.bold] : [], .title)
        buffer.write(" \(title) ", x: rect.x + 2, y: rect.y, style: titleStyle, maxWidth: rect.width - 4)
    }

    /// A pane's frame; in screen-reader mode, which reads no box drawing, its title as a
    /// label row instead, saying `(focused)` where `announcesFocus` (the main screen's panes).
    static func pane(
        _ rect: Rect, title: String, focused: Bool, screenReader: Bool, announcesFocus: Bool = true, into buffer: inout ScreenBuffer
    ) {
        guard screenReader else { return draw(rect, title: title, focused: focused, into: &buffer) }
        let label = title + (focused && announcesFocus ? " (focused):" : ":")
        buffer.write(label, x: rect.x, y: rect.y, style: CellStyle([.bold], .title), maxWidth: rect.width)
    }
}
