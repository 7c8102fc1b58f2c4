/// The question asked before quitting while an answer streams.
enum ConfirmQuitOverlay {
    static let lines = ["An answer is still streaming.", "Quit Bedside?  y yes · n no"]

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        let full = Rect(x: 0, y: 0, width: state.size.width, height: state.size.height)
        let box = full.centered(width: 40, height: 4)
        buffer.fill(box)
        if state.info.screenReader {
            buffer.write("Confirm: " + lines.joined(separator: " "), x: box.x, y: box.y, style: CellStyle([.bold], .warning), maxWidth: box.width)
            return
        }
        Box.draw(box, title: "Quit?", focused: true, into: &buffer)
        for (i, line) in lines.enumerated() {
            buffer.write(line, x: box.x + 2, y: box.y + 1 + i, style: CellStyle(i == 1 ? [.bold] : [], .normal), maxWidth: box.width - 4)
        }
    }
}
