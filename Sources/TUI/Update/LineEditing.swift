/// Readline-style editing keys shared by every text field (question, search, filter).
enum LineEditing {
    /// Applies an editing key; returns false when the key is not an editing key.
    static func apply(_ key: Key, to editor: inout LineEditor) -> Bool {
        switch key {
        case .character(let c): editor.insert(c)
        case .left, .control("b"): editor.moveLeft()
        case .right, .control("f"): editor.moveRight()
        case .home, .control("a"): editor.moveHome()
        case .end, .control("e"): editor.moveEnd()
        case .backspace, .control("h"): editor.backspace()
        case .delete, .control("d"): editor.deleteForward()
        case .control("k"): editor.killToEnd()
        case .control("u"): editor.killToStart()
        case .control("w"): editor.deleteWordBackward()
        default: return false
        }
        return true
    }
}
