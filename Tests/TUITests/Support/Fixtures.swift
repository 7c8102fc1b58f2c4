import Core
import Foundation

@testable import TUI

/// Builders for states, answers and documents shared by the tests.
enum Fixtures {
    static let info = StatusInfo(gateway: "127.0.0.1:8787", model: "extractive", indexName: "demo", indexVersion: 3, screenReader: false)

    static func state(width: Int = 100, height: Int = 30, screenReader: Bool = false) -> AppState {
        var i = info
        i.screenReader = screenReader
        return Update.start(info: i, size: TerminalSize(width: width, height: height)).0
    }

    static func citation(
        _ n: Int, doc: String = "sepsis", chunk: Int64? = nil, title: String = "Sepsis guideline",
        section: String = "Fluids", start: Int = 0, end: Int = 10, text: String = "passage"
    ) -> Citation {
        Citation(
            n: n, sourceID: doc, chunkID: chunk ?? Int64(10 + n), title: title, section: section,
            score: 10 - Double(n), text: text, start: start, end: end)
    }

    static func answer(
        question: String = "How much fluid in sepsis?", cached: Bool = false, stale: Bool = false,
        refused: Bool = false, unsupported: Bool = false, citations: [Citation]? = nil
    ) -> Answer {
        var sentences = [
            AnswerSentence(text: "Give 30 mL/kg of crystalloid within 3 hours [1].", citations: [1]),
            AnswerSentence(text: "Reassess often [2].", citations: [2]),
        ]
        if unsupported { sentences.append(AnswerSentence(text: "Albumin always helps.", citations: [], unsupported: true)) }
        let list = citations ?? [citation(1), citation(2, title: "Fluid therapy", section: "Reassessment")]
        return Answer(
            answerID: "a1", question: question, answer: sentences.map(\.text).joined(separator: " "),
            sentences: refused ? [] : sentences, refused: refused, cached: cached, stale: stale,
            citations: refused ? [] : list, nearestSources: refused ? list : [], indexVersion: 3,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    static func history(_ questions: [String]) -> [HistoryEntry] {
        questions.enumerated().map { i, q in
            HistoryEntry(
                answerID: "h\(i)", question: q, refused: false, model: "extractive", indexVersion: 3,
                createdAt: Date(timeIntervalSince1970: 1_700_000_000 - Double(i) * 60))
        }
    }

    /// A state that has asked a question and received a complete answer.
    static func answered(_ a: Answer = answer(), width: Int = 100, height: Int = 30, screenReader: Bool = false) -> AppState {
        var s = state(width: width, height: height, screenReader: screenReader)
        s = type(a.question, into: s)
        s = update(s, .key(.enter)).0
        s = update(s, .citations(a.citations)).0
        s = update(s, .done(a)).0
        return s
    }

    static func type(_ text: String, into state: AppState) -> AppState {
        var s = state
        for ch in text { s = update(s, .key(.character(ch))).0 }
        return s
    }

    /// Applies keys in order, collecting every effect.
    static func press(_ keys: [Key], _ state: AppState) -> (AppState, [Effect]) {
        var s = state
        var all: [Effect] = []
        for k in keys {
            let (n, e) = update(s, .key(k))
            s = n
            all += e
        }
        return (s, all)
    }

    /// A document with multibyte text before the cited passage: offsets are UTF-8 bytes.
    static func sourceDocument(chunkID: Int64 = 11, documentID: String = "sepsis") -> (SourceDocument, passage: String) {
        let before = (1...30).map { "Ligne \($0): café, naïve, 発熱と頻脈 — context sentence number \($0)." }.joined(separator: "\n") + "\n"
        let passage = "Donnez 30 mL/kg de cristalloïdes dans les 3 heures (輸液)."
        let after = "\n" + (1...30).map { "Suite \($0): more text after the passage." }.joined(separator: "\n")
        let text = before + passage + after
        let start = before.utf8.count
        let end = start + passage.utf8.count
        let second = text.range(of: "Suite 20")!
        let secondStart = text.utf8.distance(from: text.utf8.startIndex, to: second.lowerBound)
        let doc = SourceDocument(
            chunkID: chunkID, documentID: documentID, title: "Sepsis guideline", section: "Fluids",
            passage: passage, documentText: text, start: start, end: end,
            spans: [
                .init(chunkID: chunkID, section: "Fluids", start: start, end: end),
                .init(chunkID: 12, section: "Later", start: secondStart, end: secondStart + 8),
            ])
        return (doc, passage)
    }
}
