import Foundation

/// A list or table quoted whole: the answer to "CURB-65 criteria" is the five items, not the
/// three sentences that happen to share most words with the question.
extension ExtractiveGenerator {
    /// One bullet/numbered list or table in a passage: its lead-in and its items, each with
    /// its byte range in the passage text (markers left out).
    struct ListBlock {
        var leadIn: Candidate?
        var items: [Candidate]
        var section: String
        var title: String
    }

    /// Words of a heading or lead-in that announce a list.
    static let listCues: Set<String> = [
        "following", "items", "item", "criteria", "components", "features", "signs", "symptoms", "include", "includes", "steps",
        "score", "factors", "elements",
    ]

    /// The lead-in and every item of the list that best answers the question, when one of
    /// the considered passages holds a list (or table) whose heading, lead-in and items
    /// cover every focus term and whose heading or lead-in is about it; nil otherwise.
    func listAnswer(passages: [RetrievedPassage], subject: EvidenceScorer.Weighted, focus: Set<String>) -> [Candidate]? {
        let scorer = EvidenceScorer()
        var best: (block: ListBlock, coverage: Double)?
        // Every passage offered is searched: a list sits in a section of its own ("Score
        // components") whose words need not repeat the question's (see `Pipeline.listContext`).
        for (p, passage) in passages.enumerated() {
            for block in Self.listBlocks(passage: p, text: passage.chunk.text, section: passage.chunk.section, title: passage.title) {
                let heading = block.section + " " + (block.leadIn?.text ?? "")
                let all = block.title + " " + heading + " " + block.items.map(\.text).joined(separator: " ")
                let stems = Set(FTSQuery.words(all).map(Stemmer.stem))
                guard focus.isSubset(of: stems) else { continue }
                let headingWords = Set(FTSQuery.words(heading))
                let about =
                    !headingWords.isDisjoint(with: Self.listCues) || !Set(headingWords.map(Stemmer.stem)).isDisjoint(with: focus)
                    || (block.leadIn?.text.hasSuffix(":") ?? false)
                guard about else { continue }
                let coverage = scorer.coverage(subject, text: all)
                if coverage >= 0.5, coverage > (best?.coverage ?? 0) { best = (block, coverage) }
            }
        }
        guard let block = best?.block else { return nil }
        return (block.leadIn.map { [$0] } ?? []) + block.items
    }

    /// The lists and tables of a passage: runs of list items or table rows (an item's second
    /// sentence on the same line belongs to it), with the sentence before as their lead-in.
    static func listBlocks(passage: Int, text: String, section: String, title: String) -> [ListBlock] {
        let sentences = SentenceSplitter.sentences(text)
        let bytes = Array(text.utf8)
        var blocks: [ListBlock] = []
        var current: ListBlock?
        func close() {
            if let b = current, b.items.count >= 2 { blocks.append(b) }
            current = nil
        }
        for (i, s) in sentences.enumerated() {
            let isRow = s.text.hasPrefix("|")
            let isItem = isRow || SentenceSplitter.itemMarkerLength(s.text) > 0
            if isItem {
                if isRow, !s.text.contains(where: { $0.isLetter || $0.isNumber }) { continue } // |---|---|
                let u = unit(s)
                let item = Candidate(text: u.text, passage: passage, position: i, score: 1, range: u.range)
                if current == nil {
                    var lead: Candidate?
                    if i > 0, SentenceSplitter.itemMarkerLength(sentences[i - 1].text) == 0, !sentences[i - 1].text.hasPrefix("|") {
                        let l = sentences[i - 1]
                        lead = Candidate(text: l.text, passage: passage, position: i - 1, score: 1, range: l.start..<l.end)
                    }
                    current = ListBlock(leadIn: lead, items: [], section: section, title: title)
                }
                current!.items.append(item)
            } else if var b = current, let last = b.items.last, !bytes[last.range.upperBound..<s.start].contains(0x0A) {
                // The item's next sentence on the same line: part of the item.
                let range = last.range.lowerBound..<s.end
                b.items[b.items.count - 1].range = range
                b.items[b.items.count - 1].text = String(decoding: bytes[range], as: UTF8.self)
                current = b
            } else {
                close()
            }
        }
        close()
        return blocks
    }
}
