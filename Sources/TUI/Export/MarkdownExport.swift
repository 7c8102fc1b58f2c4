import Core
import Foundation

/// `e`: the answer on screen and its citations as a Markdown file a clinician can keep or
/// share. Building the text and the file name is pure; the runtime writes the file.
/// Every text from the question, the documents or the peer goes through `MarkdownText`, so
/// none of it can become a heading, a link, HTML or a terminal escape in the file.
enum MarkdownExport {
    static func markdown(_ a: Answer, exportedAt: Date) -> String {
        var out = "# \(a.question.isEmpty ? "Answer" : MarkdownText.inline(a.question))\n\n"
        var flags: [String] = []
        if a.stale { flags.append("**STALE**: served from cache while inference was unavailable") }
        if a.cached && !a.stale { flags.append("cached") }
        if a.incomplete { flags.append("**INCOMPLETE**: the answer was cut short") }
        if a.refused { flags.append("**No supported answer**") }
        if !flags.isEmpty { out += "> " + flags.joined(separator: "; ") + "\n\n" }
        if a.refused || a.sentences.isEmpty {
            out += MarkdownText.lines(a.answer).joined(separator: "\n") + "\n"
        } else {
            out +=
                a.sentences.map {
                    let text = MarkdownText.inline($0.text)
                    return $0.unsupported ? "\(text) _(unsupported: no source found)_" : text
                }
                .joined(separator: " ") + "\n"
        }
        if !a.removedCitations.isEmpty {
            out += "\nRemoved citations that pointed at no source: " + a.removedCitations.map { "[\($0)]" }.joined(separator: " ") + "\n"
        }
        let sources = a.refused ? a.nearestSources : a.citations
        if !sources.isEmpty {
            out += a.refused ? "\n## Nearest sources (not support for an answer)\n\n" : "\n## Citations\n\n"
            for c in sources {
                let section = c.section.isEmpty ? "" : " — \(MarkdownText.inline(c.section))"
                out +=
                    "\(c.n). **\(MarkdownText.inline(c.title))**\(section) (score \(String(format: "%.3f", c.score)), "
                    + "source \(MarkdownText.code(c.sourceID)), chunk \(c.chunkID))\n"
                let supporting = a.refused ? [] : a.spans(forCitation: c.n).compactMap { span in c.quote(span).map { (span, $0) } }
                if !supporting.isEmpty {
                    // The sentence(s) of the passage that back the answer, with their place in the document.
                    out += "   Supporting \(supporting.count == 1 ? "sentence" : "sentences"):\n"
                    for (span, text) in supporting {
                        out += Self.quoted(text, prefix: "   > ") + " _(bytes \(span.start)–\(span.end))_\n"
                    }
                    out += "   Passage:\n"
                }
                let quote = Self.quoted(c.text, prefix: "   > ")
                if !quote.isEmpty { out += quote + "\n" }
            }
        }
        out += "\n---\nModel \(MarkdownText.code(a.model)), retriever \(MarkdownText.code(a.retriever)), index version \(a.indexVersion)"
        if let id = a.answerID { out += ", answer \(MarkdownText.code(id))" }
        out +=
            ". Exported by Bedside at \(ISO8601DateFormatter.string(from: exportedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])).\n"
        return out
    }

    /// Each non-empty line of `text`, escaped, after `prefix` (a Markdown block quote).
    static func quoted(_ text: String, prefix: String) -> String {
        MarkdownText.lines(text).filter { !$0.isEmpty }.map { prefix + $0 }.joined(separator: "\n")
    }

    /// `bedside-20250101-093000-sepsis-fluids.md`: sortable, readable, safe on any filesystem.
    static func fileName(_ a: Answer, exportedAt: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: exportedAt)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        let stamp = "\(c.year ?? 0)\(two(c.month))\(two(c.day))-\(two(c.hour))\(two(c.minute))\(two(c.second))"
        let slug = slugify(a.question)
        return "bedside-\(stamp)\(slug.isEmpty ? "" : "-" + slug).md"
    }

    static func slugify(_ text: String, limit: Int = 40) -> String {
        var out = ""
        var dash = false
        for scalar in text.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if dash && !out.isEmpty { out.append("-") }
                out.unicodeScalars.append(scalar)
                dash = false
            } else {
                dash = true
            }
            if out.count >= limit { break }
        }
        return out
    }

    /// Writes the file (0600) into `directory` (created 0700 if needed) and returns its path.
    static func write(_ a: Answer, to directory: String, exportedAt: Date) throws -> String {
        let dir = URL(fileURLWithPath: (directory as NSString).expandingTildeInPath, isDirectory: true)
        try PrivateExportFile.ensureFolder(dir.path)
        let url = dir.appendingPathComponent(fileName(a, exportedAt: exportedAt))
        try PrivateExportFile.write(Data(markdown(a, exportedAt: exportedAt).utf8), to: url.path)
        return url.path
    }
}
