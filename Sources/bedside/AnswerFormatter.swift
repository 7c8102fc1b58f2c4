import Core
import Foundation

/// Renders an answer for a terminal or a pipe. Every text in it comes from documents or an
/// inference peer, so each goes through `TerminalText` (its controls shown escaped) before
/// it meets the only escape sequences printed here: our own bold and dim.
enum AnswerFormatter {
    /// One line of text from a document or a peer, as it may be printed.
    static func line(_ text: some StringProtocol) -> String { TerminalText.safe(text, .line) }

    static func plain(_ a: Answer, color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : ""
        let dim = color ? "\u{1B}[2m" : ""
        let reset = color ? "\u{1B}[0m" : ""
        var out = ""
        var flags: [String] = []
        if a.cached { flags.append("cached") }
        if a.stale { flags.append("STALE: inference unavailable, answer from cache") }
        if a.incomplete { flags.append("INCOMPLETE: the answer stream was cut") }
        if !flags.isEmpty { out += "[\(flags.joined(separator: "; "))]\n" }
        if a.refused {
            out += "\(bold)No supported answer.\(reset) \(TerminalText.safe(a.answer))\n"
            if !a.nearestSources.isEmpty {
                out += "\nNearest sources (not support for an answer):\n"
                for c in a.nearestSources { out += source(c, dim: dim, reset: reset) }
            }
            return out
        }
        if a.sentences.isEmpty {
            out += TerminalText.safe(a.answer) + "\n"
        } else {
            out +=
                a.sentences.map { $0.unsupported ? "\(line($0.text)) (unsupported: no source found)" : line($0.text) }.joined(separator: " ") + "\n"
        }
        if !a.removedCitations.isEmpty {
            out += "\(dim)Removed citations that pointed at no source: \(a.removedCitations.map { "[\($0)]" }.joined(separator: " "))\(reset)\n"
        }
        if !a.removedSentences.isEmpty {
            out += "\(dim)Removed (states a quantity no source backs):\(reset)\n"
            for r in a.removedSentences { out += "\(dim)  - \(line(r.text)) (\(line(r.reason)))\(reset)\n" }
        }
        out += "\n\(bold)Citations\(reset)\n"
        for c in a.citations {
            // The sentence(s) of the passage that back the answer, else an excerpt of the passage.
            let supporting = a.spans(forCitation: c.n).compactMap(c.quote)
            out += source(c, dim: dim, reset: reset, supporting: supporting)
        }
        return out
    }

    static func source(_ c: Citation, dim: String, reset: String, supporting: [String] = []) -> String {
        let section = c.section.isEmpty ? "" : " › \(line(c.section))"
        let head = "[\(c.n)] \(line(c.title))\(section)  \(dim)(score \(String(format: "%.3f", c.score)), \(line(c.sourceID)))\(reset)\n"
        guard !supporting.isEmpty else { return head + "    \(excerpt(c.text))\n" }
        return head + supporting.map { "    “\(excerpt($0, limit: 400))”\n" }.joined()
    }

    static func excerpt(_ text: String, limit: Int = 240) -> String {
        let flat = line(text.split(whereSeparator: \.isNewline).joined(separator: " "))
        guard flat.count > limit else { return flat }
        let cut = flat.prefix(limit)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }
}
