/// Text about a document rather than its subject: YAML front matter, disclaimers ("Demo note
/// written for software testing", "Not for clinical use"), provenance and navigation ("Back to
/// top", "Table of contents"). It stays in the document, so offsets and the viewer are
/// unchanged, but it is never made an answerable passage (`Chunker`) nor quoted
/// (`ExtractiveGenerator`): a disclaimer cited as [2] answers nothing that was asked.
public enum Boilerplate {
    /// Phrases that mark a disclaimer or a note about the document itself.
    static let disclaimerPhrases = [
        "for software testing", "not for clinical use", "not for clinical decision", "not intended for clinical",
        "demo note", "demo content", "demonstration purposes", "for illustration only", "illustrative purposes", "fictional",
        "not medical advice", "does not constitute medical advice", "disclaimer", "this note was written", "this document was written",
        "written for testing", "test fixture", "sample document",
    ]
    /// Phrases of navigation text copied with a web page.
    static let navigationPhrases = [
        "back to top", "skip to content", "skip to main content", "table of contents", "print this page", "share this page",
        "previous page", "next page", "last reviewed:", "last updated:", "page last reviewed", "page last updated",
    ]

    /// Whether a short paragraph (at most `maxBytes`) is a disclaimer, a note about the
    /// document, or navigation. Longer paragraphs are content even when they mention one.
    public static func isBoilerplate(_ paragraph: String, maxBytes: Int = 320) -> Bool {
        guard paragraph.utf8.count <= maxBytes else { return false }
        let lower = paragraph.lowercased()
        return disclaimerPhrases.contains { lower.contains($0) } || navigationPhrases.contains { lower.contains($0) }
    }

    /// The byte range of a YAML front-matter block (`---` … `---` or `...`) opening the document, or nil.
    static func frontMatter(_ lines: [TextLine]) -> Range<Int>? {
        guard let first = lines.first, first.text.trimmingCharacters(in: .whitespaces) == "---" else { return nil }
        for line in lines.dropFirst().prefix(200) {
            let t = line.text.trimmingCharacters(in: .whitespaces)
            if t == "---" || t == "..." { return first.start..<line.end }
        }
        return nil
    }

    /// `title:` from a YAML front-matter block, if it has one.
    static func frontMatterTitle(_ lines: [TextLine]) -> String? {
        guard let range = frontMatter(lines) else { return nil }
        for line in lines where line.start > range.lowerBound && line.end < range.upperBound {
            let t = line.text.trimmingCharacters(in: .whitespaces)
            if t.lowercased().hasPrefix("title:") {
                let v = t.dropFirst(6).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: .init(charactersIn: "\"'"))
                return v.isEmpty ? nil : v
            }
        }
        return nil
    }
}
