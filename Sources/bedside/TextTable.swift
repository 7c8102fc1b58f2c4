/// A plain-text table for the terminal, as `gh` and `kubectl` print them: a header row in
/// capitals, then one row per item, columns padded to their widest cell and two spaces apart.
/// Cells are expected to be terminal-safe already (`TerminalText`); the last column is not padded.
enum TextTable {
    static func lines(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.prefix(columns).enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return all.map { row in
            var line = ""
            for (i, cell) in row.prefix(columns).enumerated() {
                if i > 0 { line += "  " }
                line += i == columns - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            return line
        }
    }
}
