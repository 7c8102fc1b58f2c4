import Testing

@testable import TUI

@Suite struct LineEditorTests {
    @Test func insertsAndMovesByCharacters() {
        var e = LineEditor()
        e.insert("héllo 発熱")
        #expect(e.cursor == 8)
        e.moveLeft()
        e.moveLeft()
        e.insert("X")
        #expect(e.text == "héllo X発熱")
        e.moveHome()
        e.insert(">")
        #expect(e.text == ">héllo X発熱")
        e.moveEnd()
        e.backspace()
        #expect(e.text == ">héllo X発")
    }

    @Test func killAndWordDeletion() {
        var e = LineEditor("dose of fluids now")
        e.deleteWordBackward()
        #expect(e.text == "dose of fluids ")
        e.deleteWordBackward()
        #expect(e.text == "dose of ")
        e.moveHome()
        e.moveRight()
        e.moveRight()
        e.killToEnd()
        #expect(e.text == "do")
        e.killToStart()
        #expect(e.text == "" && e.cursor == 0)
    }

    @Test func combiningMarkJoinsThePreviousCharacter() {
        var e = LineEditor()
        e.insert("e" as Character)
        e.insert("\u{301}" as Character)
        #expect(e.characters.count == 1)
        #expect(e.text == "é")
    }

    @Test func windowKeepsTheCursorVisible() {
        let e = LineEditor("abcdefghijklmnop")
        let (text, cursor) = e.window(width: 6)
        #expect(text == "lmnop")
        #expect(cursor == 5)
        var wide = LineEditor("発熱発熱発熱")
        wide.moveHome()
        let (t2, c2) = wide.window(width: 5)
        #expect(t2 == "発熱")
        #expect(c2 == 0)
    }

    @Test func recallWalksOlderAndNewerAndRestoresTheDraft() {
        var r = QuestionRecall()
        r.remember("first")
        r.remember("second")
        r.appendOlder(["Second", "zeroth"])
        #expect(r.questions == ["second", "first", "zeroth"])
        #expect(r.older(current: "draft") == "second")
        #expect(r.older(current: "second") == "first")
        #expect(r.older(current: "first") == "zeroth")
        #expect(r.older(current: "zeroth") == nil)
        #expect(r.newer() == "first")
        #expect(r.newer() == "second")
        #expect(r.newer() == "draft")
        #expect(r.newer() == nil)
    }
}

extension LineEditor {
    /// Types `text` one character at a time, as keys would.
    mutating func insert(_ text: String) {
        for ch in text { insert(ch) }
    }
}
