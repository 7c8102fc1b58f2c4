import Core
import Foundation

/// The history view: past questions, newest first, filtered as you type.
enum HistoryView {
    static let title = "History"

    static func dateText(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        let layout = Geometry.body(state)
        let h = state.history
        let list = h.filtered
        let heading =
            h.entries.map { entries in
                h.filter.isEmpty ? "\(title) (\(entries.count))" : "\(title) (\(list.count) of \(entries.count))"
            } ?? title
        Box.pane(layout.frame, title: heading, focused: true, screenReader: state.info.screenReader, announcesFocus: false, into: &buffer)
        // Header: the filter field.
        let header = layout.header
        if h.filterEditing || !h.filter.isEmpty {
            let label = "Filter: "
            let used = buffer.write(label, x: header.x, y: header.y, style: CellStyle([.bold], .title))
            let (text, cursor) = h.filter.window(width: max(2, header.width - used))
            buffer.write(text, x: header.x + used, y: header.y, maxWidth: header.width - used)
            if h.filterEditing && state.overlay == nil { buffer.cursor = CursorPosition(x: header.x + used + cursor, y: header.y) }
        } else {
            buffer.write(
                "Press / to filter, Enter to open the stored answer, Esc to go back.", x: header.x, y: header.y,
                style: CellStyle([.dim], .muted), maxWidth: header.width)
        }
        let content = layout.content
        guard let entries = h.entries else {
            buffer.write("Loading history…", x: content.x, y: content.y, style: CellStyle([.dim], .muted), maxWidth: content.width)
            return
        }
        if let error = h.error {
            buffer.write(
                "Could not load the history: \(error)", x: content.x, y: content.y, style: CellStyle([.bold], .error), maxWidth: content.width)
            return
        }
        if list.isEmpty {
            let text = entries.isEmpty ? "No questions asked yet." : "No past question matches the filter."
            buffer.write(text, x: content.x, y: content.y, style: CellStyle([.dim], .muted), maxWidth: content.width)
            return
        }
        let selection = max(0, min(h.selection, list.count - 1))
        // The selection stays in the middle of the list, where it can.
        let top = max(0, min(selection - content.height / 2, list.count - content.height))
        for row in 0..<content.height {
            let i = top + row
            guard i < list.count else { break }
            let entry = list[i]
            let y = content.y + row
            let selected = i == selection
            let style = CellStyle(selected ? [.reverse] : [], selected ? .selection : .normal)
            if selected { buffer.fill(Rect(x: content.x, y: y, width: content.width, height: 1), style: style) }
            var x = content.x
            if state.info.screenReader { x += buffer.write(selected ? "> " : "  ", x: x, y: y, style: style) }
            x += buffer.write(dateText(entry.createdAt) + "  ", x: x, y: y, style: style.adding(.dim), maxWidth: content.maxX - x)
            let suffix = entry.refused ? "  (refused)" : ""
            let space = content.maxX - x - DisplayWidth.of(suffix)
            x += buffer.write(StatusBarView.truncate(entry.question, to: max(0, space)), x: x, y: y, style: style, maxWidth: max(0, space))
            if !suffix.isEmpty { buffer.write(suffix, x: x, y: y, style: style.adding(.dim), maxWidth: content.maxX - x) }
        }
    }
}
