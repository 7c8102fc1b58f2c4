import Core
import Foundation
import Testing

@testable import TUI

@Suite struct MarkdownExportTests {
    let date = Date(timeIntervalSince1970: 1_735_725_600) // 2025-01-01 10:00:00 UTC

    @Test func markdownHasTheAnswerFlagsAndCitations() {
        var a = Fixtures.answer(cached: true, stale: true, unsupported: true)
        a.removedCitations = [7]
        let md = MarkdownExport.markdown(a, exportedAt: date)
        #expect(md.hasPrefix("# How much fluid in sepsis?\n"))
        #expect(md.contains("**STALE**"))
        #expect(md.contains("Albumin always helps. _(unsupported: no source found)_"))
        #expect(md.contains("## Citations"))
        #expect(md.contains("1. **Sepsis guideline** — Fluids (score 9.000, source `sepsis`, chunk 11)"))
        #expect(md.contains("   > passage"))
        #expect(md.contains("Removed citations that pointed at no source: [7]"))
        #expect(md.contains("2025-01-01T10:00:00Z"))
    }

    @Test func refusalListsNearestSources() {
        let md = MarkdownExport.markdown(Fixtures.answer(refused: true), exportedAt: date)
        #expect(md.contains("**No supported answer**"))
        #expect(md.contains("## Nearest sources (not support for an answer)"))
    }

    @Test func fileNameIsSortableAndSafe() {
        let a = Fixtures.answer(question: "Fluids / sepsis: how much? 発熱")
        #expect(MarkdownExport.fileName(a, exportedAt: date) == "bedside-20250101-100000-fluids-sepsis-how-much.md")
    }

    @Test func writeCreatesTheDirectoryAndTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bedside-export-\(UUID().uuidString)/nested").path
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let path = try MarkdownExport.write(Fixtures.answer(), to: dir, exportedAt: date)
        #expect(path.hasPrefix(dir))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("## Citations"))
    }

    @Test func writeFailsIntoAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bedside-not-a-dir-\(UUID().uuidString)").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: (any Error).self) { try MarkdownExport.write(Fixtures.answer(), to: file, exportedAt: date) }
    }
}
