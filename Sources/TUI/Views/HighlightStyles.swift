/// Every highlight the console draws, with what it means: the one source for the styles the
/// views use and for the legend in `?` help. Each meaning rests on an attribute (reverse,
/// bold, underline), never on colour alone, so it reads with `NO_COLOR` too.
enum HighlightStyles {
    /// Source viewer: the sentences of the cited passage that back the answer (or the whole
    /// passage for an answer stored before sentence spans).
    static let supporting = CellStyle([.reverse], .highlight)
    /// Source viewer: the rest of the cited passage around its supporting sentences.
    static let passage = CellStyle([.bold], .highlight)
    /// Source viewer: the other passages of the same document that this answer cites.
    static let otherPassage = CellStyle([.underline], .normal)
    /// Answer: a sentence no cited source supports (followed by "(unsupported)").
    static let unsupported = CellStyle([.underline], .warning)
    /// Answer and source viewer: a match of the `/` search.
    static let searchMatch = CellStyle([.bold, .underline], .searchMatch)

    /// The current search match: a match whose reverse video is flipped against what is
    /// around it (reverse on plain text, plain inside a reverse supporting sentence), so it
    /// stands out from the other matches with or without colour.
    static func currentMatch(over style: CellStyle) -> CellStyle {
        var s = style
        s.attributes.formUnion(searchMatch.attributes)
        s.attributes.formSymmetricDifference(.reverse)
        s.role = .searchMatch
        return s
    }

    /// A search match over a cell already styled (supporting sentence, passage…).
    static func match(over style: CellStyle) -> CellStyle {
        var s = style
        s.attributes.formUnion(searchMatch.attributes)
        if s.role == .normal { s.role = .searchMatch }
        return s
    }

    /// The `?` legend: a sample drawn in the style itself, and what it means.
    static var legend: [(sample: String, style: CellStyle, meaning: String)] {
        [
            (
                "supporting", supporting,
                "source viewer, reverse video: a sentence of the cited passage that backs the answer (an answer stored before sentence spans: the whole passage)"
            ),
            ("passage", passage, "source viewer, bold: the rest of the cited passage"),
            (
                "also cited", otherPassage,
                "source viewer, underlined: another passage of this document that the same answer cites (] and [ go there)"
            ),
            ("[1]", AnswerContent.marker, "answer, bold: a citation marker; 1-9 opens its source"),
            ("unsupported", unsupported, "answer, underlined and followed by (unsupported): a sentence no cited source supports"),
            ("match", searchMatch, "bold underlined: a match of the / search"),
            (
                "current", currentMatch(over: .plain),
                "bold underlined with reverse video flipped (plain inside a reverse sentence): the current match; n / N move it"
            ),
        ]
    }

    static let legendTitle = "Highlights (the sample is drawn in its own style)"
}
