import Core
import Foundation

/// Splits a document into passages that follow its structure.
///
/// Headings (`#`…`######`) open sections and are kept as the chunk's section path, not
/// in its text; blank lines separate paragraphs; consecutive paragraphs of one section
/// are packed up to `targetBytes`, and a paragraph longer than `maxBytes` is cut at
/// sentence ends. YAML front matter, a leading disclaimer and navigation text are not made
/// passages (see `Boilerplate`). Each chunk's text is exactly `document.text[start..<end]` (UTF-8 bytes),
/// so a viewer can highlight it in place.
public struct Chunker: Sendable {
    public var targetBytes: Int
    public var maxBytes: Int

    public init(targetBytes: Int = 900, maxBytes: Int = 1_600) {
        self.targetBytes = targetBytes
        self.maxBytes = max(maxBytes, targetBytes)
    }

    /// A paragraph: a run of non-blank lines under one section.
    struct Paragraph {
        var section: [String]
        var start: Int
        var end: Int
    }

    public func chunks(for document: Document) -> [Chunk] {
        let utf8 = Array(document.text.utf8)
        var paragraphs: [Paragraph] = []
        var section: [String] = []
        var current: Paragraph?
        var inFrontMatter = false
        func flush() {
            if let p = current { paragraphs.append(p) }
            current = nil
        }
        let lines = TextLine.split(document.text)
        // YAML front matter is metadata: kept in the document, never a passage.
        let frontMatter = Boilerplate.frontMatter(lines)
        for line in lines {
            if let fm = frontMatter, line.end <= fm.upperBound { continue }
            if line.isBlank {
                flush()
                continue
            }
            if let (level, title) = Self.heading(line.text) {
                flush()
                if level == 1 {
                    section = [] // the document title; citations carry it separately
                    inFrontMatter = true
                } else {
                    section = Array(section.prefix(level - 2))
                    section.append(title)
                    inFrontMatter = false
                }
                continue
            }
            // Block quotes right after the title hold the disclaimer and provenance:
            // metadata, not content to cite.
            if inFrontMatter, line.text.hasPrefix(">") { continue }
            inFrontMatter = false
            if current == nil {
                current = Paragraph(section: section, start: line.start, end: line.end)
            } else {
                current!.end = line.end
            }
        }
        flush()
        // Disclaimers, notes about the document and navigation are not content to cite: any
        // short one, and one of the first paragraphs before the first section (a leading
        // "Demo note written for software testing. …") a little longer.
        let firstStart = paragraphs.first?.start
        paragraphs.removeAll { p in
            let lead = p.section.isEmpty && p.start == firstStart
            let text = String(decoding: utf8[p.start..<p.end], as: UTF8.self)
            return Boilerplate.isBoilerplate(text, maxBytes: lead ? 600 : 320)
        }

        var out: [Chunk] = []
        var pending: Paragraph?
        func emit(_ p: Paragraph) {
            for (s, e) in split(p.start, p.end, utf8) {
                let (ts, te) = Self.trim(s, e, utf8)
                guard te > ts else { continue }
                let text = String(decoding: utf8[ts..<te], as: UTF8.self)
                out.append(Chunk(documentID: document.id, ordinal: out.count, sectionPath: p.section, text: text, start: ts, end: te))
            }
        }
        for p in paragraphs {
            if var q = pending, q.section == p.section, p.end - q.start <= targetBytes {
                q.end = p.end
                pending = q
            } else {
                if let q = pending { emit(q) }
                pending = p
            }
        }
        if let q = pending { emit(q) }
        return out
    }

    /// Cuts a long byte range at sentence ends so that pieces stay under `maxBytes`.
    func split(_ start: Int, _ end: Int, _ utf8: [UInt8]) -> [(Int, Int)] {
        guard end - start > maxBytes else { return [(start, end)] }
        let bounds = SentenceSplitter.boundaries(utf8, start, end)
        var pieces: [(Int, Int)] = []
        var pieceStart = start
        var lastCut = start
        for b in bounds {
            if b - pieceStart > targetBytes, lastCut > pieceStart {
                pieces.append((pieceStart, lastCut))
                pieceStart = lastCut
            }
            lastCut = b
        }
        if end > pieceStart { pieces.append((pieceStart, end)) }
        // A single sentence longer than maxBytes is cut at a space (never inside a character).
        return pieces.flatMap { hardSplit($0.0, $0.1, utf8) }
    }

    func hardSplit(_ start: Int, _ end: Int, _ utf8: [UInt8]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var s = start
        while end - s > maxBytes {
            var cut = s + maxBytes
            while cut > s + targetBytes / 2, utf8[cut] != 0x20 { cut -= 1 }
            if utf8[cut] != 0x20 { // no space: step back to a character boundary
                cut = s + maxBytes
                while cut > s, utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
            }
            out.append((s, cut))
            s = cut
        }
        out.append((s, end))
        return out
    }

    static func trim(_ s: Int, _ e: Int, _ utf8: [UInt8]) -> (Int, Int) {
        var a = s
        var b = e
        while a < b, [0x20, 0x09, 0x0A, 0x0D].contains(utf8[a]) { a += 1 }
        while b > a, [0x20, 0x09, 0x0A, 0x0D].contains(utf8[b - 1]) { b -= 1 }
        return (a, b)
    }

    /// `## Title` → (2, "Title").
    static func heading(_ line: Substring) -> (Int, String)? {
        var level = 0
        var i = line.startIndex
        while i < line.endIndex, line[i] == "#", level < 7 {
            level += 1
            i = line.index(after: i)
        }
        guard (1...6).contains(level), i < line.endIndex, line[i] == " " else { return nil }
        let title = line[i...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "#")).trimmingCharacters(
            in: .whitespaces)
        return title.isEmpty ? nil : (level, title)
    }
}
