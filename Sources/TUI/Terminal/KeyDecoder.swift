/// What one `get_wch` result means.
enum TerminalInput: Hashable, Sendable {
    case key(Key)
    case resize
}

/// Turns `get_wch` results into keys. Pure (the curses constants are passed in), so the
/// mapping is tested without a terminal.
struct KeyDecoder: Sendable {
    /// The key each curses key code it recognises stands for.
    let keys: [UInt32: Key]
    /// `KEY_RESIZE`, and `KEY_F(1)` (F2 to F12 follow it).
    let resize, f1: UInt32

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
        if code == resize { return .resize }
        if let key = keys[code] { return .key(key) }
        guard (f1...(f1 + 11)).contains(code) else { return nil }
        return .key(.function(Int(code - f1) + 1))
    }
}
