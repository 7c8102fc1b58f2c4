import Core
import Foundation
import Testing

@testable import TUI

/// Exports quote, under each citation, the sentence(s) of its passage that back the answer.
@Suite struct SpanExportTests {
    let date = Date(timeIntervalSince1970: 1_735_725_600)

    @Test func exportQuotesTheSupportingSentencesUnderEachCitation() {
        let passage = "Start early. Give 30 mL/kg of crystalloid within 3 hours. Reassess often."
        let c1 = Fixtures.citation(1, start: 100, end: 100 + passage.utf8.count, text: passage)
        var a = Fixtures.answer(citations: [c1, Fixtures.citation(2, title: "Fluid therapy", section: "Reassessment")])
        a.sentences[0].spans = [SourceSpan(citation: 1, documentID: "sepsis", start: 113, end: 157)]
        let md = MarkdownExport.markdown(a, exportedAt: date)
        #expect(
            md.contains("   Supporting sentence:\n   > Give 30 mL/kg of crystalloid within 3 hours. _(bytes 113–157)_\n   Passage:\n   > " + passage))
        // Citation [2] has no spans: its passage is quoted as before, with no supporting block.
        let second = md.components(separatedBy: "2. **Fluid therapy**").last ?? ""
        #expect(!second.contains("Supporting"))
        #expect(second.contains("   > passage"))
    }

    @Test func spansThatDoNotFitThePassageAreNotQuoted() {
        var a = Fixtures.answer()
        a.sentences[0].spans = [SourceSpan(citation: 1, documentID: "sepsis", start: 5, end: 400)]
        #expect(!MarkdownExport.markdown(a, exportedAt: date).contains("Supporting"))
    }
}
