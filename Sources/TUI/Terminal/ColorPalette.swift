import CNcursesw

/// Colour pairs for each role. Only used when colours are on (no `NO_COLOR`, no
/// `--no-color`, a terminal with colours); the attributes carry the meaning either way.
@MainActor
enum ColorPalette {
    /// Foreground per role; -1 keeps the terminal's default.
    static func foreground(_ role: ColorRole) -> Int16 {
        switch role {
        case .normal, .selection, .statusBar: -1
        case .title: Int16(COLOR_CYAN)
        case .border: -1
        case .focusBorder: Int16(COLOR_CYAN)
        case .marker: Int16(COLOR_CYAN)
        case .warning, .stale: Int16(COLOR_YELLOW)
        case .error, .offline: Int16(COLOR_RED)
        case .online: Int16(COLOR_GREEN)
        case .highlight: Int16(COLOR_YELLOW)
        case .searchMatch: Int16(COLOR_MAGENTA)
        case .keyHint: Int16(COLOR_CYAN)
        case .muted: -1
        }
    }

    static func install() {
        for role in ColorRole.allCases where role != .normal {
            init_pair(pair(for: role), foreground(role), -1)
        }
    }

    static func pair(for role: ColorRole) -> Int16 {
        role == .normal ? 0 : Int16(role.rawValue)
    }
}
