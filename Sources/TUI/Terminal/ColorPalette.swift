import CNcursesw

/// Colour pairs for each role. Only used when colours are on (no `NO_COLOR`, no
/// `--no-color`, a terminal with colours); the attributes carry the meaning either way.
@MainActor
enum ColorPalette {
    /// Foreground per role; -1 keeps the terminal's default.
    static func foreground(_ role: ColorRole) -> Int16 {
        switch role {
        case .normal, .selection, .statusBar, .border, .muted: -1
        case .title, .focusBorder, .marker, .keyHint: Int16(COLOR_CYAN)
        case .warning, .stale, .highlight: Int16(COLOR_YELLOW)
        case .error, .offline: Int16(COLOR_RED)
        case .online: Int16(COLOR_GREEN)
        case .searchMatch: Int16(COLOR_MAGENTA)
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
