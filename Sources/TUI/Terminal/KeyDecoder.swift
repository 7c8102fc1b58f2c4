/// What one `get_wch` result means.
enum TerminalInput: Hashable, Sendable {
    case key(Key)
    case resize
}

/// Turns `get_wch` results into keys. Pure (the curses constants are passed in), so the
/// mapping is tested without a terminal.
struct KeyDecoder: Sendable {
    /// The curses key codes this decoder recognises.
    struct Codes: Sendable {
        var up, down, left, right, home, end, pageDown, pageUp, backTab, delete, backspace, enter, resize, f1: UInt32
    }

    let codes: Codes

    /// - Parameters:
    ///   - isKeyCode: true when `get_wch` returned `KEY_CODE_YES` (value is a `KEY_*` code).
    ///   - value: the character or key code.
    func decode(isKeyCode: Bool, value: UInt32) -> TerminalInput? {
        if isKeyCode { return decodeKeyCode(value) }
        switch value {
        case 13, 10: return .key(.enter)
        case 9: return .key(.tab)
        case 27: return .key(.escape)
        case 127, 8: return .key(.backspace)
        case 1...26:
            guard let scalar = Unicode.Scalar(value + 96) else { return nil }
            return .key(.control(Character(scalar)))
        case 0..<32: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    private func decodeKeyCode(_ code: UInt32) -> TerminalInput? {
        switch code {
        case codes.resize: return .resize
        case codes.up: return .key(.up)
        case codes.down: return .key(.down)
        case codes.left: return .key(.left)
        case codes.right: return .key(.right)
        case codes.home: return .key(.home)
        case codes.end: return .key(.end)
        case codes.pageDown: return .key(.pageDown)
        case codes.pageUp: return .key(.pageUp)
        case codes.backTab: return .key(.backTab)
        case codes.delete: return .key(.delete)
        case codes.backspace: return .key(.backspace)
        case codes.enter: return .key(.enter)
        case codes.f1...(codes.f1 + 11): return .key(.function(Int(code - codes.f1) + 1))
        default: return nil
        }
    }
}
