import Core
import Foundation

/// Checks every sentence of an answer against the sources actually given to the model.
///
/// The text is split into sentences (lines first, list markers aside, then sentence ends).
/// Every `[n]` that points at no given source is removed and reported. Then each sentence is
/// checked (`ClaimChecker`): a sentence is supported only when a source it cites (or, with no
/// valid citation, the best source) backs it: its content, every quantity with its unit,
/// its negation and direction as in the source. A cited sentence its source does not back
/// loses that citation and is re-attributed to another given source that backs it, or
/// marked `unsupported`. Sentences with no content of their own (bare titles, "The sources
/// are [1]:", "The answer is:") and exact repeats are dropped. An unsupported sentence that
/// states a quantity (a dose, rate, threshold, duration) is never left in the text: it is
/// removed and listed in `removedSentences` with the reason. Small models rarely cite at all,
/// so attribution carries them; it never invents support a source does not lexically share.
///
/// Pure: no I/O, same input, same output.
public struct CitationVerifier: Sendable {
    /// A numbered source as the model saw it.
    public struct Source: Sendable, Hashable {
        public var n: Int
        public var text: String
        /// The passage's title and section: context that counts towards each of its sentences.
        public var header: String
        /// The cited document's id; with it, supported sentences carry the `SourceSpan`s
        /// (document byte offsets) of the passage sentences that back them.
        public var documentID: String?
        /// UTF-8 byte offsets of the passage in its document (`Citation.start`/`end`); `text`
        /// starts at `documentStart`. Spans are kept inside them.
        public var documentStart: Int
        public var documentEnd: Int

        public init(n: Int, text: String, header: String = "", documentID: String? = nil, documentStart: Int = 0, documentEnd: Int? = nil) {
            self.n = n
            self.text = text
            self.header = header
            self.documentID = documentID
            self.documentStart = documentStart
            self.documentEnd = documentEnd ?? documentStart + text.utf8.count
        }
    }

    /// What the checker decided about one sentence of the answer.
    public struct SentenceVerdict: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            /// A source it cites (or, uncited, the best source) backs it.
            case supported
            /// The source it cites does not back it; another given source does, and is cited instead.
            case reattributed
            /// No given source backs it; shown, marked unsupported.
            case unsupported
            /// No given source backs it and it states a quantity: taken out of the answer.
            case removed
            /// No content of its own (a bare title, "The answer is:"), or a repeat: left out.
            case dropped
        }
        public var text: String
        public var kind: Kind
        /// The valid source numbers the model wrote for it.
        public var written: [Int]
        /// The numbers it cites after checking.
        public var citations: [Int]
        /// Why it is not supported as written (empty when it is).
        public var reason: String
        /// The sentences of its cited passages that back it (document byte offsets), when shown supported.
        public var spans: [SourceSpan] = []
    }

    public struct Result: Sendable, Hashable {
        /// The answer with only valid `[n]` markers, each sentence's placed before its final punctuation.
        public var text: String
        public var sentences: [AnswerSentence]
        /// Numbers the model wrote that pointed at no source, in order of first appearance.
        public var removedCitations: [Int]
        /// The source numbers the final text cites, ascending.
        public var citedNumbers: [Int]
        /// Exact repeats of an earlier sentence or line, dropped (small models loop).
        public var droppedRepeats: Int
        /// Sentences with no content of their own (bare titles, "The sources are [1]:"), dropped.
        public var droppedEmpty: Int
        /// Every sentence of the model's text in order, with the decision and its reason.
        public var verdicts: [SentenceVerdict]

        /// Sentences given a citation by overlap (the model wrote none valid).
        public var attributedSentences: Int { verdicts.filter { $0.kind == .supported && $0.written.isEmpty }.count }
        public var unsupportedSentences: Int { verdicts.filter { $0.kind == .unsupported }.count }
        /// Unsupported sentences that stated a quantity, taken out of the text, with the reason.
        public var removedSentences: [RemovedSentence] {
            verdicts.filter { $0.kind == .removed }.map { RemovedSentence(text: $0.text, reason: $0.reason) }
        }
        /// Whether the first sentence with content (the one that answers the question) is
        /// unsupported or removed.
        public var leadUnsupported: Bool { verdicts.first { $0.kind != .dropped }.map { $0.kind == .unsupported || $0.kind == .removed } ?? false }
    }

    /// Least weighted share of a sentence's content terms its source must contain.
    public var threshold: Double
    /// Least number of shared content terms (fewer when the sentence has fewer).
    public var minimumSharedTerms: Int

    /// Calibrated on SmolLM2-135M answers over the demo corpus: sentences scored against
    /// another question's sources never passed 0.36, while faithful paraphrases of the right
    /// source scored 0.65–1.0; half-invented sentences fell between 0.45 and 0.6.
    public init(threshold: Double = 0.6, minimumSharedTerms: Int = 2) {
        self.threshold = threshold
        self.minimumSharedTerms = minimumSharedTerms
    }

    /// Words that say nothing about the content of a claim.
    static let extraStopWords: Set<String> = [
        "answer", "source", "sources", "question", "according", "based", "provided", "given", "text", "passage",
        "information", "however", "therefore", "thus", "also", "yes", "include", "includes", "including", "one",
    ]

    /// Content-term stems of a text: words minus stop words, stemmed; numbers kept.
    public static func terms(_ text: String) -> [String] {
        FTSQuery.words(text).compactMap { w in
            if FTSQuery.stopWords.contains(w) || extraStopWords.contains(w) { return nil }
            if w.count < 2, !(w.first?.isNumber ?? false) { return nil }
            return Stemmer.stem(w)
        }
    }

    public func verify(_ answer: String, sources: [Source]) -> Result {
        let (deduplicated, repeatedLines) = Self.withoutRepeatedLines(answer)
        let bytes = Array(deduplicated.utf8)
        let valid = Set(sources.map(\.n))
        let checker = ClaimChecker(threshold: threshold, minimumShared: minimumSharedTerms)
        let texts = sources.map { ClaimChecker.SourceText(n: $0.n, header: $0.header, text: $0.text) }
        let known = texts.reduce(into: Set<String>()) { $0.formUnion($1.allTerms) }
        // The answer's sentences: byte range, text without markers, and the numbers each cites.
        var pieces: [(start: Int, end: Int, body: String, numbers: [Int])] = []
        for (start, end) in Self.segments(bytes) {
            let (body, own, leading) = Self.strip(Array(bytes[start..<end]))
            // "… fluids. [1] Then …": [1] closes the sentence before.
            let closesPrevious = !leading.isEmpty && !pieces.isEmpty
            if closesPrevious { pieces[pieces.count - 1].numbers += leading }
            pieces.append((start, end, body, closesPrevious ? own : leading + own))
        }

        var removed: [Int] = []
        var sentences: [AnswerSentence] = []
        var verdicts: [SentenceVerdict] = []
        var rewritten: [String] = []
        var repeats = repeatedLines
        var empty = 0
        var seen = Set<String>()
        for p in pieces {
            // A caller past its deadline throws the result away: stop checking (a peer's long reply).
            if Task.isCancelled { break }
            var cites: [Int] = []
            for n in p.numbers {
                if valid.contains(n) {
                    if !cites.contains(n) { cites.append(n) }
                } else if !removed.contains(n) {
                    removed.append(n)
                }
            }
            guard !p.body.isEmpty else {
                rewritten.append("")
                continue
            }
            guard seen.insert(Self.normalized(p.body)).inserted else {
                repeats += 1
                rewritten.append("")
                verdicts.append(SentenceVerdict(text: p.body, kind: .dropped, written: cites, citations: [], reason: "repeats an earlier sentence"))
                continue
            }
            let claim = ClaimText(p.body)
            if Self.hasNoContent(p.body, claim) {
                empty += 1
                rewritten.append("")
                verdicts.append(
                    SentenceVerdict(
                        text: p.body, kind: .dropped, written: cites, citations: [], reason: "no content of its own (a title or a lead-in)"))
                continue
            }
            var everySource: [ClaimChecker.Verdict]? // checked once per sentence, however often asked
            func checks(_ numbers: [Int]?) -> [ClaimChecker.Verdict] {
                if numbers == nil, let every = everySource { return every }
                let verdicts = texts.filter { numbers?.contains($0.n) ?? true }.map { checker.check(claim, against: $0, known: known) }
                if numbers == nil { everySource = verdicts }
                return verdicts
            }
            /// The backing source with the best coverage (the earlier on a tie).
            func bestBacking(excluding: [Int]) -> ClaimChecker.Verdict? {
                checks(nil).filter { $0.backed && !excluding.contains($0.n) }.max { ($0.coverage, -$0.n) < ($1.coverage, -$1.n) }
            }
            var kind = SentenceVerdict.Kind.supported
            var final: [Int] = []
            var reason = ""
            if !cites.isEmpty {
                let cited = checks(cites)
                let backing = cites.filter { n in cited.contains { $0.n == n && $0.backed } }
                let failing = cited.filter { !$0.backed }
                reason = failing.map(\.reason).joined(separator: "; ")
                if !backing.isEmpty {
                    final = backing
                } else if cites.count > 1, merged(cites, texts).map({ checker.check(claim, against: $0, known: known).backed }) == true {
                    final = cites // "…, and …" backed by the cited passages together
                    reason = ""
                } else if let other = bestBacking(excluding: cites) {
                    final = [other.n]
                    kind = .reattributed
                } else {
                    kind = .unsupported
                }
            } else if let b = bestBacking(excluding: []) {
                final = [b.n]
            } else {
                kind = .unsupported
                let nearest = checks(nil).max { ($0.coverage, -$0.n) < ($1.coverage, -$1.n) }
                reason = nearest?.reason ?? "no sources were given"
            }
            if kind == .unsupported, claim.statesQuantity { kind = .removed }
            let shown = kind == .supported || kind == .reattributed
            let spans = shown ? final.flatMap { n in Self.spans(of: claim, in: n, sources: sources, texts: texts, checker: checker) } : []
            verdicts.append(SentenceVerdict(text: p.body, kind: kind, written: cites, citations: final, reason: reason, spans: spans))
            if kind == .removed {
                rewritten.append("")
                continue
            }
            let text = Self.cite(p.body, final)
            rewritten.append(text)
            sentences.append(AnswerSentence(text: text, citations: final, unsupported: kind == .unsupported, spans: spans))
        }

        // Reassemble: each sentence replaces its range; what lay between sentences stays,
        // except the spaces before a dropped sentence.
        var out = ""
        var cursor = 0
        for (p, text) in zip(pieces, rewritten) {
            let gap = bytes[cursor..<p.start]
            if !(text.isEmpty && gap.allSatisfy({ $0 == 0x20 || $0 == 0x09 })) {
                out += String(decoding: gap, as: UTF8.self)
            }
            out += text
            cursor = p.end
        }
        out += String(decoding: bytes[cursor..<bytes.count], as: UTF8.self)
        let cited = Set(sentences.flatMap(\.citations)).sorted()
        return Result(
            text: Self.tidy(Self.withoutEmptyListItems(out)), sentences: sentences, removedCitations: removed, citedNumbers: cited,
            droppedRepeats: repeats, droppedEmpty: empty, verdicts: verdicts)
    }

    /// The passage sentences of source `n` that back a claim, as document spans (kept inside
    /// the passage); none when the source has no `documentID`.
    static func spans(of claim: ClaimText, in n: Int, sources: [Source], texts: [ClaimChecker.SourceText], checker: ClaimChecker) -> [SourceSpan] {
        guard let k = sources.firstIndex(where: { $0.n == n }), let documentID = sources[k].documentID,
            let text = texts.first(where: { $0.n == n })
        else { return [] }
        let source = sources[k]
        var out: [SourceSpan] = []
        for i in checker.supportingSentences(claim, in: text) {
            let r = text.ranges[i]
            let start = max(source.documentStart, source.documentStart + r.lowerBound)
            let end = min(source.documentEnd, source.documentStart + r.upperBound)
            guard start < end else { continue }
            out.append(SourceSpan(citation: n, documentID: documentID, start: start, end: end))
        }
        return out
    }

    /// The cited passages read as one source (for a sentence that draws on several).
    func merged(_ numbers: [Int], _ texts: [ClaimChecker.SourceText]) -> ClaimChecker.SourceText? {
        let parts = texts.filter { numbers.contains($0.n) }
        guard parts.count > 1 else { return nil }
        var m = parts[0]
        for p in parts.dropFirst() {
            m.sentences += p.sentences
            m.ranges += p.ranges
            m.offeredItems += p.offeredItems
            m.allTerms.formUnion(p.allTerms)
            m.allTerms.formUnion(p.header.terms)
            m.allQuantities.formUnion(p.allQuantities)
        }
        return m
    }

    /// Whether a sentence has no content of its own: only framing words ("The answer is:",
    /// "The sources are [1]:", "Here are the key points:"), or a bare title ("Anaphylaxis:
    /// Emergency Treatment — Initial Management"): no sentence end, title case, no number.
    static func hasNoContent(_ body: String, _ claim: ClaimText) -> Bool {
        if claim.terms.isEmpty && !claim.statesQuantity { return true }
        let trimmed = body.trimmingCharacters(in: .whitespaces)
        guard !claim.statesQuantity, let last = trimmed.last, !".!?;".contains(last) else { return false }
        let words = trimmed.split(whereSeparator: { !$0.isLetter }).filter { $0.count >= 4 }
        guard words.count >= 2, trimmed.split(separator: " ").count <= 12 else { return false }
        let capitalised = words.filter { $0.first?.isUppercase == true }.count
        return Double(capitalised) >= 0.6 * Double(words.count)
    }

    /// Drops list markers left alone on their line by a removed sentence ("- " or "2.").
    static func withoutEmptyListItems(_ text: String) -> String {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" })
        let kept = lines.filter { line in
            let bytes = ArraySlice(Array(line.utf8))
            let marker = listMarkerLength(bytes)
            return !(marker > 0 && marker >= bytes.count && line.contains(where: { $0 == "-" || $0 == "*" || $0 == "•" }))
        }
        return kept.joined(separator: "\n")
    }

    /// Case- and space-folded text, for spotting repeats.
    static func normalized(_ s: String) -> String {
        s.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The text without lines that repeat an earlier non-blank line, and how many were dropped.
    static func withoutRepeatedLines(_ text: String) -> (String, Int) {
        var seen = Set<String>()
        var kept: [Substring] = []
        var dropped = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let key = normalized(String(line))
            if !key.isEmpty, !seen.insert(key).inserted {
                dropped += 1
                continue
            }
            kept.append(line)
        }
        return (kept.joined(separator: "\n"), dropped)
    }

    /// Byte ranges of sentences: each line, after any list marker, is split at sentence ends.
    static func segments(_ bytes: [UInt8]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var lineStart = 0
        func line(_ s0: Int, _ e: Int) {
            let s = s0 + listMarkerLength(bytes[s0..<e])
            guard e > s else { return }
            let text = String(decoding: bytes[s..<e], as: UTF8.self)
            for sentence in SentenceSplitter.sentences(text) { out.append((s + sentence.start, s + sentence.end)) }
        }
        for (i, b) in bytes.enumerated() where b == 0x0A {
            line(lineStart, i)
            lineStart = i + 1
        }
        line(lineStart, bytes.count)
        return out
    }

    /// Bytes of a list marker opening a line (`1. `, `2) `, `- `, `* `, `• `, `## `), with the
    /// indentation before it; 0 when there is none. Markers stay in the text, outside sentences.
    static func listMarkerLength(_ line: ArraySlice<UInt8>) -> Int {
        var i = line.startIndex
        while i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        let start = i
        var digits = 0
        while i < line.endIndex, (0x30...0x39).contains(line[i]), digits < 3 {
            i += 1
            digits += 1
        }
        if digits > 0 {
            guard i < line.endIndex, line[i] == 0x2E || line[i] == 0x29 else { return 0 } // . )
            i += 1
        } else if i < line.endIndex, [0x2D, 0x2A, 0x2B].contains(line[i]) { // - * +
            i += 1
        } else if line[i...].starts(with: [0xE2, 0x80, 0xA2]) { // •
            i += 3
        } else if i < line.endIndex, line[i] == 0x23 { // Markdown heading
            while i < line.endIndex, line[i] == 0x23 { i += 1 }
        } else {
            return 0
        }
        guard i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 else { return i == line.endIndex && i > start ? i - line.startIndex : 0 }
        while i < line.endIndex, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        return i - line.startIndex
    }

    /// A sentence without its markers: the cleaned text, the numbers of its markers, and
    /// those of markers that open it (they belong to the sentence before).
    static func strip(_ bytes: [UInt8]) -> (body: String, numbers: [Int], leading: [Int]) {
        let markers = CitationMarkers.find(bytes)
        var leading: [Int] = []
        var numbers: [Int] = []
        var kept: [UInt8] = []
        var cursor = 0
        var atStart = true
        for m in markers {
            let gap = bytes[cursor..<m.start]
            if atStart, gap.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                leading += m.numbers
            } else {
                atStart = false
                kept += gap
                numbers += m.numbers
            }
            cursor = m.end
        }
        kept += bytes[cursor..<bytes.count]
        var body = String(decoding: kept, as: UTF8.self)
        while body.contains("  ") { body = body.replacingOccurrences(of: "  ", with: " ") }
        for p in [" .", " ,", " ;", " :", " !", " ?", " )"] { body = body.replacingOccurrences(of: p, with: String(p.dropFirst())) }
        body = body.trimmingCharacters(in: .whitespaces)
        // Only punctuation left: nothing to say.
        if !body.contains(where: { $0.isLetter || $0.isNumber }) { body = "" }
        return (body, numbers, leading)
    }

    /// `"Give fluids."`, [1, 2] → `"Give fluids [1][2]."`
    static func cite(_ sentence: String, _ numbers: [Int]) -> String {
        guard !numbers.isEmpty else { return sentence }
        var s = Substring(sentence)
        var end = ""
        while let last = s.last, ".!?:;".contains(last) {
            end = String(last) + end
            s = s.dropLast()
        }
        let marks = numbers.map { "[\($0)]" }.joined()
        return s.trimmingCharacters(in: .whitespaces) + " " + marks + end
    }

    /// Trims the whole text and collapses runs of blank lines left by dropped sentences.
    static func tidy(_ text: String) -> String {
        var t = text
        while t.contains("\n\n\n") { t = t.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return t.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether an answer is the model declining (the sources do not answer), not an answer.
    public static func isRefusal(_ text: String) -> Bool {
        let t = text.lowercased().replacingOccurrences(of: "’", with: "'")
        guard t.count < 400 else { return false }
        let phrases = [
            "sources do not", "sources don't", "source does not", "source doesn't", "cannot answer", "can't answer",
            "unable to answer", "not enough information", "no information", "insufficient information",
            "do not contain the answer", "does not contain the answer", "do not answer", "does not answer",
        ]
        return phrases.contains { t.contains($0) }
    }
}
