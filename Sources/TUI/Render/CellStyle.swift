/// Terminal attributes of a cell. Meaning never rests on colour alone: every colour role is
/// paired with one of these where it carries information (reverse for the cited passage,
/// bold for `[n]`, underline for unsupported sentences).
struct CellAttributes: OptionSet, Hashable, Sendable {
    let rawValue: UInt8
    static let bold = CellAttributes(rawValue: 1)
    static let reverse = CellAttributes(rawValue: 2)
    static let underline = CellAttributes(rawValue: 4)
    static let dim = CellAttributes(rawValue: 8)
}

/// What a cell is, for colouring. The terminal maps roles to colour pairs; with `NO_COLOR`
/// every role draws in the default colours and only the attributes remain.
enum ColorRole: UInt8, Hashable, Sendable, CaseIterable {
    case normal, statusBar, title, border, focusBorder, marker, warning, error
    case online, offline, stale, highlight, searchMatch, keyHint, muted, selection
}

/// Attributes plus colour role of one cell.
struct CellStyle: Hashable, Sendable {
    var attributes: CellAttributes
    var role: ColorRole

    init(_ attributes: CellAttributes = [], _ role: ColorRole = .normal) {
        self.attributes = attributes
        self.role = role
    }

    static let plain = CellStyle()

    func adding(_ extra: CellAttributes) -> CellStyle {
        CellStyle(attributes.union(extra), role)
    }
}

/// One terminal cell. A wide character occupies its cell (width 2) and the next one, which
/// holds a continuation (width 0) that is never drawn on its own.
struct Cell: Hashable, Sendable {
    var character: Character
    var width: UInt8
    var style: CellStyle

    static let blank = Cell(character: " ", width: 1, style: .plain)
}
