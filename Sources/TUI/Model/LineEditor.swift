/// A single-line text field with readline-style editing, used for the question line,
/// the search prompt and the history filter.
///
/// Text is kept as grapheme clusters so the cursor never lands inside a character
/// (an accented letter, a CJK ideograph, an emoji with modifiers).
struct LineEditor: Hashable, Sendable {
    private(set) var characters: [Character]
    /// Cursor position, in characters, from 0 to `characters.count`.
    private(set) var cursor: Int

    init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    var text: String { String(characters) }
    var isEmpty: Bool { characters.isEmpty }

    mutating func setText(_ text: String) { self = LineEditor(text) }

    /// Inserts at the cursor. A combining mark typed after a letter joins that letter.
    mutating func insert(_ character: Character) {
        if cursor > 0, DisplayWidth.of(character) == 0, character.unicodeScalars.first.map({ $0.value >= 0x300 }) == true {
            let joined = String(characters[cursor - 1]) + String(character)
            if joined.count == 1, let merged = joined.first {
                characters[cursor - 1] = merged
                return
            }
        }
        characters.insert(character, at: cursor)
        cursor += 1
    }

    /// Deletes the character before the cursor.
    mutating func backspace() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the character under the cursor.
    mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    mutating func moveLeft() { cursor = max(0, cursor - 1) }
    mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    mutating func moveHome() { cursor = 0 }
    mutating func moveEnd() { cursor = characters.count }

    /// Ctrl-K: deletes from the cursor to the end.
    mutating func killToEnd() {
        characters.removeSubrange(cursor...)
    }

    /// Ctrl-U: deletes from the start to the cursor.
    mutating func killToStart() {
        characters.removeSubrange(..<cursor)
        cursor = 0
    }

    /// Ctrl-W: deletes the word before the cursor and the spaces after it.
    mutating func deleteWordBackward() {
        var start = cursor
        while start > 0 && characters[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !characters[start - 1].isWhitespace { start -= 1 }
        characters.removeSubrange(start..<cursor)
        cursor = start
    }

    /// The characters to show in a field `width` columns wide, scrolled so the cursor is
    /// visible, and the cursor's column inside the field.
    func window(width: Int) -> (text: String, cursorColumn: Int) {
        guard width > 1 else { return ("", 0) }
        var start = 0
        var before = DisplayWidth.of(String(characters[..<cursor]))
        // Keep one column free for the caret at the end.
        while before > width - 1 && start < cursor {
            before -= DisplayWidth.of(characters[start])
            start += 1
        }
        var out = ""
        var used = 0
        for ch in characters[start...] {
            let w = DisplayWidth.of(ch)
            if used + w > width { break }
            out.append(ch)
            used += w
        }
        return (out, before)
    }
}
