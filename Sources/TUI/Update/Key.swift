/// A key press, decoded from the terminal's input.
enum Key: Hashable, Sendable {
    /// A printable character (already decoded from UTF-8).
    case character(Character)
    /// Ctrl plus a letter, lowercased: `.control("a")` is Ctrl-A.
    case control(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
}
