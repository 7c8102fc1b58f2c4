import Foundation

/// A question drawn from the corpus itself, to calibrate the relevance gate on (see
/// `GateCalibration`): answerable ones from one passage's sentence, unanswerable ones that
/// no single document covers.
public struct PseudoQuestion: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Words of one sentence, some swapped for another document's (a question is worded
        /// otherwise than its source): the document it came from answers it.
        case sentence
        /// The rare focus word of one document with the context words of an unrelated one.
        case chimera
        /// The rare words of two unrelated documents.
        case pair
    }

    public var text: String
    /// The document that answers it; nil for an unanswerable one.
    public var gold: String?
    public var kind: Kind

    public var answerable: Bool { gold != nil }
}

/// Draws pseudo-questions from passages, deterministically (a fixed seed), pure.
///
/// Lengths run from `minimumWords` to `maximumWords` content words, so both the short
/// technical question and the long consumer one are represented; a third are asked as yes/no
/// questions ("Is …?"), the rest as wh-questions ("What about …?"), because the gate treats the
/// two differently. Rarity is inverse document frequency over the whole corpus (`rarity`).
public struct PseudoQuestions: Sendable {
    /// One passage to draw from.
    struct Passage: Sendable {
        var documentID: String
        var text: String
    }

    public var count: Int
    public var seed: UInt64
    public var minimumWords = 3
    public var maximumWords = 15
    /// Of the words of a sentence question, one in `paraphraseEvery` (not its rarest) is
    /// replaced by a word of another document.
    public var paraphraseEvery = 4

    public init(count: Int = 200, seed: UInt64 = 20) {
        self.count = count
        self.seed = seed
    }

    /// Content words a question may be built of: not stop words, at least three letters, not numbers.
    static func contentWords(_ text: String) -> [String] {
        FTSQuery.words(text).filter { w in
            w.count >= 3 && w.count <= 40 && !FTSQuery.stopWords.contains(w) && !w.allSatisfy(\.isNumber)
                && !QuestionFocus.functionWords.contains(Stemmer.stem(w))
        }
    }

    /// The sentences of a passage with at least `minimumWords` distinct content words, as their words.
    func sentences(_ text: String) -> [[String]] {
        SentenceSplitter.sentences(text).map { distinct(Self.contentWords($0.text)) }.filter { $0.count >= minimumWords }
    }

    /// Half answerable, half unanswerable (chimeras and pairs alternating), round-robin over the
    /// passages (one per document is best: the draw spreads over documents). Fewer when the
    /// passages cannot give them (a corpus of one document has no unanswerable chimeras).
    func draw(_ passages: [Passage], rarity: (String) -> Double) -> [PseudoQuestion] {
        var rng = SplitMix64(seed: seed)
        // Each passage's sentences, and the stems of its content words (what it holds), once.
        let usable = passages.map { (p: $0, s: sentences($0.text), stems: Set(Self.contentWords($0.text).map(Stemmer.stem))) }
            .filter { !$0.s.isEmpty }
        guard !usable.isEmpty else { return [] }
        var out: [PseudoQuestion] = []
        let wanted = count / 2
        var asked = 0
        // Answerable: a window of one sentence's words, a quarter swapped for another document's.
        var i = 0
        while out.count < wanted, i < wanted * 3 {
            defer { i += 1 }
            let (p, sentences, _) = usable[i % usable.count]
            let words = sentences[rng.below(sentences.count)]
            let length = min(words.count, minimumWords + rng.below(maximumWords - minimumWords + 1))
            let start = rng.below(words.count - length + 1)
            var picked = Array(words[start..<(start + length)])
            let rarest = picked.indices.max { rarity(picked[$0]) < rarity(picked[$1]) } ?? 0
            if usable.count > 1 {
                // A paraphrase word is a common one (well under the rarest word's rarity, so never
                // part of the focus): a question words its topic as the source does, the rest otherwise.
                let ceiling = QuestionFocus.shareOfRarest * rarity(picked[rarest])
                for k in picked.indices where k != rarest && rng.below(paraphraseEvery) == 0 {
                    let other = usable[(i + 1 + rng.below(usable.count - 1)) % usable.count]
                    guard other.p.documentID != p.documentID else { continue }
                    let ws = other.s[rng.below(other.s.count)]
                    if let common = ws.filter({ rarity($0) < ceiling }).min(by: { rarity($0) < rarity($1) }) { picked[k] = common }
                }
            }
            out.append(PseudoQuestion(text: phrase(distinct(picked), asked: &asked), gold: p.documentID, kind: .sentence))
        }
        // Unanswerable: documents far apart in the draw, so unrelated as far as a fixed rule can tell.
        guard usable.count > 1 else { return out }
        var j = 0
        var unanswerable = 0
        while unanswerable < count - wanted, j < (count - wanted) * 3 {
            defer { j += 1 }
            let a = usable[j % usable.count]
            let b = usable[(j + usable.count / 2 + rng.below(max(1, usable.count / 4))) % usable.count]
            guard a.p.documentID != b.p.documentID else { continue }
            let aWords = a.s[rng.below(a.s.count)]
            let bWords = b.s[rng.below(b.s.count)]
            let (aText, bText) = (a.stems, b.stems)
            // Words of A that B's passage does not hold, rarest first: A's focus, absent from B.
            let aOnly = aWords.filter { !bText.contains(Stemmer.stem($0)) }.sorted { rarity($0) > rarity($1) }
            guard let focus = aOnly.first else { continue }
            var picked: [String]
            let kind: PseudoQuestion.Kind
            if j % 2 == 0 {
                // Chimera: A's rare word in B's sentence.
                let length = min(bWords.count, minimumWords - 1 + rng.below(maximumWords - minimumWords + 1))
                let start = rng.below(bWords.count - length + 1)
                picked = Array(bWords[start..<(start + length)]).filter { !aText.contains(Stemmer.stem($0)) }
                guard picked.count >= minimumWords - 1 else { continue }
                picked.insert(focus, at: rng.below(picked.count + 1))
                kind = .chimera
            } else {
                // Pair: the rarest words of each, one to three apiece, with B's absent from A.
                let bOnly = bWords.filter { !aText.contains(Stemmer.stem($0)) }.sorted { rarity($0) > rarity($1) }
                guard !bOnly.isEmpty else { continue }
                let fromA = Array(aOnly.prefix(1 + rng.below(3)))
                let fromB = Array(bOnly.prefix(1 + rng.below(3)))
                picked = rng.below(2) == 0 ? fromA + fromB : fromB + fromA
                guard distinct(picked).count >= minimumWords else { continue }
                kind = .pair
            }
            out.append(PseudoQuestion(text: phrase(distinct(picked), asked: &asked), gold: nil, kind: kind))
            unanswerable += 1
        }
        return out
    }

    /// The words as a question: every third a yes/no question.
    func phrase(_ words: [String], asked: inout Int) -> String {
        defer { asked += 1 }
        return (asked % 3 == 2 ? "Is " : "What about ") + words.joined(separator: " ") + "?"
    }

    func distinct(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert(Stemmer.stem($0)).inserted }
    }
}

/// A small, fast, seeded generator: the same draw on every machine and run. SplitMix64's
/// shape; its second multiplier differs from the published one and stays so, since changing it
/// would change every calibration's draw.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<n (0 when n ≤ 1).
    mutating func below(_ n: Int) -> Int {
        n <= 1 ? 0 : Int(next() % UInt64(n))
    }
}
