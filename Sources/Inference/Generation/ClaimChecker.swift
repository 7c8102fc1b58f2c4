import Foundation

/// Decides whether a passage backs one sentence of an answer.
///
/// The passage is read sentence by sentence (its title and section count towards every
/// sentence). The claim is compared with the one or two passage sentences that cover it best:
///
/// 1. every quantity it states is in them, with the same unit (units made canonical, so
///    `0.5 mg` is `500 micrograms`), and every bare number too;
/// 2. it shares at least two content items with them and they cover at least `threshold` of
///    its content; a content word the sources use elsewhere but not here means the claim
///    mixes things up (only one is forgiven, in a long sentence); words no source uses at all
///    (paraphrase) may be at most `maxUnknownShare` of the claim;
/// 3. each clause agrees with the passage clause it matches on negation ("not", "no longer",
///    "avoid"), direction ("above"/"below", "increase"/"decrease"), timing ("within"/"after"),
///    age group, route, order ("first"/"second"-line), severity, and stop/continue;
/// 4. the words next to each of its numbers (two content words either side) are found in
///    the passage sentence that states that number, when the passage uses them at all (a dose
///    moved to another age group or drug is not backed); numbers stated together in one
///    clause are stated together in one source sentence; and the label linked to each
///    quantity ("ketones of 3.0 mmol/L", "30 mL of 10% calcium gluconate") goes with the same
///    value in the source (numbers swapped within a sentence are not backed).
struct ClaimChecker: Sendable {
    var threshold: Double = 0.6
    var minimumShared = 2
    var maxUnknownShare = 0.4

    /// A numbered source, read once.
    struct SourceText: Sendable {
        var n: Int
        var header: ClaimText
        var sentences: [ClaimText]
        /// Each sentence's UTF-8 byte range in the passage text.
        var ranges: [Range<Int>]
        var allTerms: Set<String>
        var allQuantities: Set<String>
        /// Each sentence's `offered` items, read once (not once per claim: issue 19).
        var offeredItems: [Set<String>]

        init(n: Int, header: String, text: String) {
            self.n = n
            self.header = ClaimText(header)
            let split = SentenceSplitter.sentences(text)
            sentences = split.map { ClaimText($0.text) }
            ranges = split.map { $0.start..<$0.end }
            allTerms = sentences.reduce(into: self.header.terms) { $0.formUnion($1.terms) }
            allQuantities = sentences.reduce(into: self.header.quantityKeys) { $0.formUnion($1.quantityKeys) }
            offeredItems = sentences.map(ClaimChecker.offered)
        }
    }

    struct Verdict: Sendable {
        var n: Int
        var backed: Bool
        /// Share of the claim's content items the best sentences cover.
        var coverage: Double
        /// Why not, when not backed.
        var reason: String
    }

    /// The claim's content items: terms, bare numbers (`#2`, or `n:500` when nothing follows
    /// it), quantities (`q:500 mcg`).
    static func items(_ c: ClaimText) -> Set<String> {
        var out = c.terms
        for b in c.bareNumbers { out.insert(bareItem(b)) }
        for q in c.quantities { out.insert("q:" + q.key) }
        return out
    }

    static func bareItem(_ b: (value: String, token: Int, open: Bool)) -> String {
        (b.open ? "n:" : "#") + b.value
    }

    /// Items a passage sentence offers: its terms, its bare numbers, every number (for a
    /// claim's number with nothing after it) and its quantities.
    static func offered(_ c: ClaimText) -> Set<String> {
        var out = c.terms
        for n in c.numbers { out.insert("n:" + n) }
        for b in c.bareNumbers { out.insert("#" + b.value) }
        for q in c.quantities { out.insert("q:" + q.key) }
        return out
    }

    /// How many clauses (parts between breaks and "and"/"then"/"or") carry content.
    static func numericGroupsCount(_ c: ClaimText) -> Int {
        var count = 0
        var current = false
        for t in c.tokens {
            if t.kind == .boundary || (t.kind == .word && ["and", "then", "or", "but", "while", "whereas"].contains(t.text)) {
                if current { count += 1 }
                current = false
            } else if t.kind == .number || (t.kind == .word && ClaimText.contentStem(t.text) != nil) {
                current = true
            }
        }
        return count + (current ? 1 : 0)
    }

    /// The numeric items of each part of the claim between clause breaks and "and"/"then"/"or".
    static func numericGroups(_ c: ClaimText) -> [Set<String>] {
        var byToken: [Int: String] = [:]
        for q in c.quantities { byToken[q.token] = "q:" + q.key }
        for b in c.bareNumbers { byToken[b.token] = bareItem(b) }
        var groups: [Set<String>] = [[]]
        for (i, t) in c.tokens.enumerated() {
            if t.kind == .boundary || (t.kind == .word && ["and", "then", "or", "but", "while", "whereas"].contains(t.text)) {
                // "15 to 30 minutes", "5 or 6": a range is not a break.
                let range = t.kind == .word && i > 0 && c.tokens[i - 1].kind == .number && i + 1 < c.tokens.count && c.tokens[i + 1].kind == .number
                if !range, !groups[groups.count - 1].isEmpty { groups.append([]) }
            }
            if let item = byToken[i] { groups[groups.count - 1].insert(item) }
        }
        return groups.filter { $0.count >= 2 }
    }

    /// The passage sentences that back a claim the passage backs: the window the check
    /// compared it with; when the title and section alone covered it, the one sentence
    /// sharing the most with it. Indices into `source.sentences`, ascending; empty when no
    /// sentence shares anything with the claim.
    func supportingSentences(_ claim: ClaimText, in source: SourceText) -> [Int] {
        let items = Self.items(claim)
        let sentenceItems = source.offeredItems
        let window = ClaimWindow.best(items, header: Self.offered(source.header), sentenceItems: sentenceItems).indices
        if !window.isEmpty { return window }
        var best: (shared: Int, index: Int)?
        for (i, offered) in sentenceItems.enumerated() {
            let shared = items.intersection(offered).count
            if shared > 0, shared > (best?.shared ?? 0) { best = (shared, i) }
        }
        return best.map { [$0.index] } ?? []
    }

    func check(_ claim: ClaimText, against source: SourceText, known: Set<String>) -> Verdict {
        let items = Self.items(claim)
        let header = Self.offered(source.header)
        let sentenceItems = source.offeredItems
        // The one or two sentences that cover the claim best (fewer on a tie; none when the
        // title and section alone cover as much), found in time linear in the passage (issue 19).
        let best = ClaimWindow.best(items, header: header, sentenceItems: sentenceItems)
        let covered = best.covered
        let coverage = items.isEmpty ? 0 : Double(covered.count) / Double(items.count)
        func fail(_ reason: String) -> Verdict { Verdict(n: source.n, backed: false, coverage: coverage, reason: reason) }
        let window = best.indices.map { source.sentences[$0] }

        // 1. Quantities and numbers.
        let missingQuantities = claim.quantities.filter { !covered.contains("q:" + $0.key) }
        if let q = missingQuantities.first {
            let inPassage = source.allQuantities.contains(q.key)
            return fail(inPassage ? "[\(source.n)] states \(q.display) about something else" : "[\(source.n)] does not state \(q.display)")
        }
        if let b = claim.bareNumbers.first(where: { !covered.contains(Self.bareItem($0)) }) {
            return fail("[\(source.n)] does not state the number \(b.value)" + (b.open ? "" : " there"))
        }
        // Numbers stated together must be stated together in the source.
        for group in Self.numericGroups(claim) where !sentenceItems.contains(where: { group.isSubset(of: $0.union(header)) }) {
            let shown = group.sorted().map { $0.split(separator: ":", maxSplits: 1).last.map(String.init) ?? $0 }.map {
                $0.replacingOccurrences(of: "#", with: "")
            }
            return fail("[\(source.n)] does not state " + shown.joined(separator: " with ") + " together")
        }
        // 2. Content.
        guard covered.count >= minimumShared else {
            return fail(items.count < minimumShared ? "too little content to check" : "[\(source.n)] is about something else")
        }
        var missingTerms = claim.terms.subtracting(covered)
        // One clause states one thing: it must be found in one sentence of the source.
        if Self.numericGroupsCount(claim) <= 1, best.indices.count == 2 {
            var single: Set<String> = []
            for i in sentenceItems.indices {
                let c = items.intersection(header.union(sentenceItems[i]))
                if c.count > single.count { single = c }
            }
            missingTerms = claim.terms.subtracting(single)
        }
        // The subject ("Dopamine is the first-line vasopressor") must be in the source.
        if let first = claim.subjectTerm, claim.terms.count >= 3, !covered.contains(first) {
            return fail("[\(source.n)] does not mention \"\(first)\"")
        }
        let misplaced = missingTerms.intersection(known)
        let unknown = missingTerms.subtracting(known)
        if misplaced.count > (claim.terms.count >= 8 ? 1 : 0) {
            return fail("[\(source.n)] does not say this about " + misplaced.sorted().map { "\"\($0)\"" }.joined(separator: ", "))
        }
        guard coverage >= threshold, Double(unknown.count) <= maxUnknownShare * Double(max(1, claim.terms.count)) else {
            let words = unknown.sorted().prefix(4).map { "\"\($0)\"" }.joined(separator: ", ")
            return fail(words.isEmpty ? "[\(source.n)] covers too little of it" : "no source mentions " + words)
        }
        // 3. Clause cues against the passage clause each claim clause matches.
        if let conflict = cueConflict(claim, window) { return fail("[\(source.n)] \(conflict)") }
        // 4. The words around each number.
        if let reason = misplacedNumber(claim, source: source, window: window) { return fail("[\(source.n)] \(reason)") }
        if let reason = boundElsewhere(claim, source: source) { return fail("[\(source.n)] \(reason)") }
        return Verdict(n: source.n, backed: true, coverage: coverage, reason: "")
    }

    /// The first disagreement in negation or an exclusive cue between a claim clause and the
    /// window clause it matches best; claim clauses that match the same source clause are
    /// read together ("If there is no improvement after 5 minutes, repeat the dose").
    func cueConflict(_ claim: ClaimText, _ window: [ClaimText]) -> String? {
        let sourceClauses = window.flatMap(\.clauses)
        guard !sourceClauses.isEmpty else { return nil }
        var aligned: [Int: Set<String>] = [:]
        for c in claim.clauses where !c.terms.isEmpty {
            var bestIndex = -1
            var bestShared = 0
            for (k, s) in sourceClauses.enumerated() {
                let shared = c.terms.intersection(s.terms).count
                if shared > bestShared {
                    bestShared = shared
                    bestIndex = k
                }
            }
            guard bestIndex >= 0 else { continue }
            aligned[bestIndex, default: []].formUnion(c.cues)
        }
        for c in claim.clauses where !c.terms.isEmpty {
            // A clause that asserts what a negated source clause denies ("not full wakefulness").
            if !c.cues.contains("neg") {
                for s in sourceClauses
                where s.cues.contains("neg") && !s.terms.isEmpty && s.terms.isSubset(of: c.terms)
                    && !sourceClauses.contains(where: { !$0.cues.contains("neg") && s.terms.isSubset(of: $0.terms) })
                {
                    return "says it is not so (\(s.terms.sorted().joined(separator: " ")))"
                }
            }
            // A direction, timing, route… the related source clauses give only the opposite of.
            for cue in c.cues where cue != "neg" {
                let group = String(cue.split(separator: ":").first ?? "")
                guard group != "order", group != "severity" else { continue }
                let related = sourceClauses.filter { !$0.terms.intersection(c.terms).isEmpty && $0.cues.contains { $0.hasPrefix(group + ":") } }
                if !related.isEmpty, !related.contains(where: { $0.cues.contains(cue) }),
                    let other = related.first?.cues.first(where: { $0.hasPrefix(group + ":") })
                {
                    return "says \(other.split(separator: ":").last ?? "") where the sentence says \(cue.split(separator: ":").last ?? "") (\(group))"
                }
            }
        }
        for (k, claimCues) in aligned.sorted(by: { $0.key < $1.key }) {
            let sourceCues = sourceClauses[k].cues
            if claimCues.contains("neg") != sourceCues.contains("neg") {
                return claimCues.contains("neg") ? "states it without the negation" : "says the opposite (it is negated there)"
            }
            for cue in claimCues where cue != "neg" && !sourceCues.contains(cue) {
                let group = cue.split(separator: ":").first.map(String.init) ?? cue
                if let other = sourceCues.first(where: { $0.hasPrefix(group + ":") }) {
                    return "says \(other.split(separator: ":").last ?? "") where the sentence says \(cue.split(separator: ":").last ?? "") (\(group))"
                }
            }
        }
        return nil
    }

    /// A number whose neighbouring words sit elsewhere in the passage than the sentence that
    /// states it: the number was moved to another subject.
    func misplacedNumber(_ claim: ClaimText, source: SourceText, window: [ClaimText]) -> String? {
        let numbered: [(token: Int, item: String, display: String)] =
            claim.quantities.map { ($0.token, "q:" + $0.key, $0.display) } + claim.bareNumbers.map { ($0.token, Self.bareItem($0), $0.value) }
        for (token, item, display) in numbered {
            let neighbours = neighbourTerms(claim, around: token).filter { source.allTerms.contains($0) && !source.header.terms.contains($0) }
            guard !neighbours.isEmpty else { continue }
            let stating = source.sentences.indices.filter { source.offeredItems[$0].contains(item) }.map { source.sentences[$0] }
            guard !stating.isEmpty else { continue }
            if stating.contains(where: { s in neighbours.allSatisfy { s.terms.contains($0) } }) { continue }
            let missing = neighbours.filter { t in !stating.contains { $0.terms.contains(t) } }
            return "gives \(display) for something else, not with " + missing.map { "\"\($0)\"" }.joined(separator: ", ")
        }
        return nil
    }

    /// Words that link a value to what it describes: "ketones of 3.0", "300 micrograms for children".
    static let linkWords: Set<String> = ["of", "for", "in", "is", "are", "at", "above", "below", "under", "over", "than", "with", "by", "from"]

    /// What each token of a text is for binding: the quantity it belongs to (number and unit
    /// words), or nothing.
    static func quantityTokens(_ c: ClaimText) -> [Int: ClaimText.Quantity] {
        var out: [Int: ClaimText.Quantity] = [:]
        for q in c.quantities {
            for k in q.token..<max(q.token + 1, q.end) { out[k] = q }
        }
        return out
    }

    static func unitOf(_ q: ClaimText.Quantity) -> Substring { q.key.split(separator: " ", maxSplits: 1).last ?? "" }

    /// Scans from token `from` in direction `step` over link words, brackets, other-unit
    /// quantities and at most two content terms, until a quantity of `unit`: its key; nil when
    /// anything else comes first. Also returns what it passed (terms, other quantities).
    static func scan(_ c: ClaimText, _ qt: [Int: ClaimText.Quantity], from: Int, step: Int, unit: Substring) -> (value: String?, passed: [String]) {
        var k = from
        var passed: [String] = []
        var terms = 0
        var steps = 0
        while k >= 0, k < c.tokens.count, steps < 8 {
            let t = c.tokens[k]
            if let q = qt[k] {
                if unitOf(q) == unit { return (q.key, passed) }
                if !passed.contains("q:" + q.key) { passed.append("q:" + q.key) }
            } else if t.kind == .boundary {
                if ![")", "("].contains(t.text) { break }
            } else if t.kind == .word, let stem = c.termAt[k] {
                if terms == 2 { break }
                terms += 1
                passed.append(stem)
            } else if t.kind == .word, !linkWords.contains(t.text) {
                break
            } else if t.kind == .number {
                break // a number with no unit
            }
            k += step
            steps += 1
        }
        return (nil, passed)
    }

    /// A quantity whose label (the words or other quantity linked to it: "ketones of 11
    /// mmol/L", "10 mL of 10% calcium gluconate") goes with a different value of the same unit
    /// in the source: numbers swapped within a sentence.
    func boundElsewhere(_ claim: ClaimText, source: SourceText) -> String? {
        let claimQT = Self.quantityTokens(claim)
        let sourceQT = source.sentences.map(Self.quantityTokens)
        for q in claim.quantities {
            let unit = Self.unitOf(q)
            var labels: [(item: String, step: Int)] = []
            let left = Self.scan(claim, claimQT, from: q.token - 1, step: -1, unit: unit)
            if left.value == nil { labels += left.passed.map { ($0, -1) } }
            let right = Self.scan(claim, claimQT, from: max(q.token + 1, q.end), step: 1, unit: unit)
            if right.value == nil { labels += right.passed.map { ($0, 1) } }
            for (item, step) in labels {
                // In the source, from each occurrence of the label back towards where the value was.
                var values = Set<String>()
                for (si, sentence) in source.sentences.enumerated() {
                    let qt = sourceQT[si]
                    for k in sentence.tokens.indices {
                        let matches =
                            item.hasPrefix("q:") ? qt[k].map { "q:" + $0.key == item && $0.token == k } ?? false : sentence.termAt[k] == item
                        guard matches else { continue }
                        let from = item.hasPrefix("q:") ? (step == 1 ? k - 1 : max(k + 1, qt[k]?.end ?? k + 1)) : k - step
                        if let v = Self.scan(sentence, qt, from: from, step: -step, unit: unit).value { values.insert(v) }
                    }
                }
                if !values.isEmpty, !values.contains(q.key) {
                    let label = item.hasPrefix("q:") ? String(item.dropFirst(2)) : item
                    return "gives \"\(label)\" with \(values.sorted().joined(separator: " or ")), not \(q.display)"
                }
            }
        }
        return nil
    }

    /// Up to two content terms either side of a token, within four tokens and its clause (unit words aside).
    func neighbourTerms(_ claim: ClaimText, around token: Int) -> [String] {
        var out: [String] = []
        for step in [-1, 1] {
            var k = token + step
            var taken = 0
            while k >= 0, k < claim.tokens.count, taken < 2, abs(k - token) <= 4 {
                let t = claim.tokens[k]
                if t.kind == .boundary { break }
                if let stem = claim.termAt[k], ClaimText.units[t.text] == nil {
                    out.append(stem)
                    taken += 1
                }
                k += step
            }
        }
        return out
    }
}
