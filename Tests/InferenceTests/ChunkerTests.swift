import Core
import Foundation
import Testing

@testable import Inference

@Suite("Chunking and loading")
struct ChunkerTests {
    @Test func chunksFollowHeadingsAndKeepExactOffsets() {
        let doc = DocumentLoader.parseText(TestBed.sepsisNote, id: "sepsis")
        #expect(doc.title == "Sepsis: initial management")
        #expect(doc.metadata["guideline"] == .string("Surviving Sepsis Campaign 2021"))
        let chunks = Chunker().chunks(for: doc)
        #expect(chunks.count >= 3)
        for c in chunks {
            #expect(doc.text.utf8Slice(c.start, c.end) == c.text, "offsets of chunk \(c.ordinal)")
            #expect(!c.text.contains("Demo content"), "front matter is metadata, not a passage")
            #expect(!c.text.hasPrefix("#"))
        }
        #expect(chunks.map(\.ordinal) == Array(0..<chunks.count))
        #expect(chunks.first?.sectionPath == ["Recognition"])
        #expect(chunks.contains { $0.sectionPath == ["Initial management", "Antibiotics"] && $0.text.contains("日本語") })
        #expect(chunks.contains { $0.sectionPath == ["Initial management"] && $0.text.contains("30 mL/kg") && $0.text.contains("Noradrenaline") })
    }

    @Test func longParagraphsAreCutAtSentenceEnds() {
        let sentence = "Dose 2.5 mg i.v. every 4 h for adults, e.g. in renal failure, per Dr. Smith. "
        let text = String(repeating: sentence, count: 60) + "\n\nÉnd — ünïcode ☕️ fin."
        let doc = Document(id: "long", title: "Long", text: text)
        let chunker = Chunker(targetBytes: 500, maxBytes: 800)
        let chunks = chunker.chunks(for: doc)
        #expect(chunks.count > 3)
        for c in chunks {
            #expect(c.end - c.start <= 800)
            #expect(doc.text.utf8Slice(c.start, c.end) == c.text)
        }
        #expect(chunks.dropLast().allSatisfy { $0.text.hasSuffix("Smith.") })
    }

    @Test func aWordLongerThanTheLimitIsCutOnCharacterBoundaries() {
        let doc = Document(id: "w", title: "W", text: String(repeating: "é", count: 3000))
        let chunks = Chunker(targetBytes: 500, maxBytes: 700).chunks(for: doc)
        #expect(chunks.count >= 8)
        for c in chunks { #expect(doc.text.utf8Slice(c.start, c.end) == c.text) }
    }

    @Test func crlfFilesKeepOffsets() {
        let text = "# T\r\n\r\n## A\r\nOne line.\r\nTwo line.\r\n\r\n## B\r\nThree.\r\n"
        let doc = DocumentLoader.parseText(text, id: "crlf")
        let chunks = Chunker().chunks(for: doc)
        #expect(chunks.map(\.sectionPath) == [["A"], ["B"]])
        for c in chunks { #expect(doc.text.utf8Slice(c.start, c.end) == c.text) }
    }

    @Test func jsonlLoadsAndReportsTheBadLine() throws {
        let good = Data(
            #"{"id":"p1","title":"T","text":"Body","metadata":{"year":"2000","mesh":["A"]}}"#.utf8 + [0x0A] + #"{"id":"p2","text":"B2"}"#.utf8)
        let docs = try DocumentLoader.parseJSONL(good, file: "c.jsonl")
        #expect(docs.map(\.id) == ["p1", "p2"])
        #expect(docs[0].metadata["year"] == .string("2000"))
        #expect(docs[1].title == "p2")
        let bad = Data(#"{"id":"p1","text":"x"}"#.utf8 + [0x0A] + Data("{not json".utf8))
        #expect { try DocumentLoader.parseJSONL(bad, file: "c.jsonl") } throws: { ($0 as? BedsideError)?.message.contains("c.jsonl:2") == true }
        let dup = Data(#"{"id":"p1","text":"x"}"#.utf8 + [0x0A] + #"{"id":"p1","text":"y"}"#.utf8)
        #expect { try DocumentLoader.parseJSONL(dup, file: "c.jsonl") } throws: { ($0 as? BedsideError)?.message.contains("duplicate") == true }
        let invalidUTF8 = Data([0x7B, 0xFF, 0xFE, 0x7D])
        #expect { try DocumentLoader.parseJSONL(invalidUTF8, file: "c.jsonl") } throws: { ($0 as? BedsideError)?.message.contains("UTF-8") == true }
    }

    @Test func sentenceSplitterKeepsAbbreviationsAndDecimals() {
        let s = SentenceSplitter.sentences("Give 2.5 mg i.v. now. Then e.g. repeat. Dr. Who agrees! Done?")
        #expect(s.map(\.text) == ["Give 2.5 mg i.v. now.", "Then e.g. repeat.", "Dr. Who agrees!", "Done?"])
    }

    @Test func frontMatterAndALeadingDisclaimerAreNotPassages() {
        let text = """
            ---
            title: St Elsewhere hyperkalaemia protocol
            owner: pharmacy
            ---
            Demo note written for software testing. Not a real hospital.

            ## Treatment

            Give calcium gluconate 10% 30 mL IV over 10 minutes when the ECG shows changes.

            Back to top
            """
        let doc = DocumentLoader.parseText(text, id: "st-elsewhere")
        #expect(doc.title == "St Elsewhere hyperkalaemia protocol")
        let chunks = Chunker().chunks(for: doc)
        #expect(chunks.count == 1)
        #expect(chunks.first?.text == "Give calcium gluconate 10% 30 mL IV over 10 minutes when the ECG shows changes.")
        #expect(chunks.first.map { doc.text.utf8Slice($0.start, $0.end) == $0.text } == true)
    }

    @Test func listItemsAndTableRowsAreSentenceUnits() {
        let text = "The items are:\n- Confusion\n- Urea above 7 mmol/L.\n1. Age 65 or older\n| Item | Points |\n| Age | 1 |"
        let s = SentenceSplitter.sentences(text)
        #expect(
            s.map(\.text) == ["The items are:", "- Confusion", "- Urea above 7 mmol/L.", "1. Age 65 or older", "| Item | Points |", "| Age | 1 |"])
        for u in s { #expect(text.utf8Slice(u.start, u.end) == u.text) }
        #expect(SentenceSplitter.itemMarkerLength("- Urea") == 2)
        #expect(SentenceSplitter.itemMarkerLength("12. Age") == 4)
        #expect(SentenceSplitter.itemMarkerLength("-5 degrees") == 0)
    }
}
