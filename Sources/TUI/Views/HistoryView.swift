import Core
import Foundation

/// The history view: past questions, newest first, filtered as you type.
enum HistoryView {
    static let title = "History"

    static func dateText(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ v: Int?) -> String {
            let v = v ?? 0
            return v < 10 ? "0\(v)" : "\(v)"
        }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    /// First visible row for a selection in a list `height` rows tall.
    static func top(selection: Int, count: Int, height: Int) -> Int {
        max(0, min(selection - height / 2, count - height))
    }

    static func draw(_ state: AppState, into buffer: inout ScreenBuffer) {
        let layout = Geometry.body(state)
        let h = state.history
        let list = h.filtered
        let heading =
            h.entries.map { entries in
                h.filter.isEmpty ? "\(title) (\(entries.count))" : "\(title) (\(list.count) of \(entries.count))"
            } ?? title
        if state.info.screenReader {
            buffer.write(heading + ":", x: layout.frame.x, y: layout.frame.y, style: CellStyle([.bold], .title), maxWidth: layout.frame.width)
        } else {
            Box.draw(layout.frame, title: heading, focused: true, into: &buffer)
        }
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
        let top = top(selection: selection, count: list.count, height: content.height)
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
