import Foundation

@testable import Inference

/// Best-source scoring by weighted term overlap: the measure the verifier's threshold was
/// calibrated with (`LiveComponentsTests`); answers are checked by `ClaimChecker` instead.
extension CitationVerifier {
    /// How well a sentence matches its best source.
    struct Support: Sendable, Hashable {
        var n: Int
        /// Weighted share of the sentence's content terms found in the source (0…1).
        var score: Double
        var sharedTerms: Int
        /// Numbers, and number-unit quantities, in the sentence that the source does not contain.
        var missingNumbers: Int
    }

    /// Quantities of a text: each number (decimals whole: `0.5`) with the word that follows
    /// it as its unit, stemmed (`"500 micrograms"` → `"500 microgram"`, `"30 mL/kg"` →
    /// `"30 ml"`); in a range the first number shares the unit (`"15 to 30 minutes"`,
    /// `"40-50 mg"`). A number followed by no word, or by a stop word, is no quantity.
    ///
    /// Numbers alone are too weak a check: `"1:1000"` in a source would let a sentence claim
    /// "1000 micrograms"; its quantity `"1000 microgram"` is in no source, so it is not supported.
    static func quantities(_ text: String) -> Set<String> {
        enum Token: Equatable {
            case number(String, glued: Bool)
            case word(String)
            case dash, other
        }
        var tokens: [Token] = []
        let scalars = Array(text.unicodeScalars)
        func isDigit(_ i: Int) -> Bool { i < scalars.count && ("0"..."9").contains(scalars[i]) }
        func isLetter(_ i: Int) -> Bool { i < scalars.count && scalars[i].properties.isAlphabetic }
        var i = 0
        while i < scalars.count {
            if isDigit(i) {
                let glued = i > 0 && isLetter(i - 1) // NEWS2, CURB65: part of a name
                var number = ""
                while i < scalars.count,
                    isDigit(i) || (scalars[i] == "." && isDigit(i + 1))
                        || (scalars[i] == "," && isDigit(i + 1) && isDigit(i + 2) && isDigit(i + 3) && !isDigit(i + 4))
                {
                    if scalars[i] != "," { number.unicodeScalars.append(scalars[i]) }
                    i += 1
                }
                tokens.append(.number(number, glued: glued))
            } else if isLetter(i) {
                var word = ""
                while isLetter(i) {
                    word.unicodeScalars.append(scalars[i])
                    i += 1
                }
                tokens.append(.word(word.lowercased()))
            } else {
                let c = scalars[i]
                if c == "-" || c == "\u{2013}" { tokens.append(.dash) } else if !c.properties.isWhitespace { tokens.append(.other) }
                i += 1
            }
        }
        func unit(at j: Int) -> String? {
            guard j < tokens.count, case .word(let w) = tokens[j], !FTSQuery.stopWords.contains(w), !["and", "or", "to", "x"].contains(w) else {
                return nil
            }
            return Stemmer.stem(w)
        }
        func connects(_ j: Int) -> Bool {
            guard j < tokens.count else { return false }
            if tokens[j] == .dash { return true }
            if case .word(let w) = tokens[j] { return ["to", "or", "and"].contains(w) }
            return false
        }
        var out = Set<String>()
        for (j, token) in tokens.enumerated() {
            guard case .number(let n, let glued) = token, !glued else { continue }
            if let u = unit(at: j + 1) {
                out.insert(n + " " + u)
            } else if connects(j + 1), j + 2 < tokens.count, case .number = tokens[j + 2], let u = unit(at: j + 3) {
                out.insert(n + " " + u) // "15 to 30 minutes": 15 minutes too
            }
        }
        return out
    }

    /// Term sets of the sources and the terms' weights (rarer among the sources → heavier).
    struct SourceIndex {
        var sets: [(n: Int, terms: Set<String>)]
        var quantities: [Int: Set<String>]
        var df: [String: Int]

        init(_ sources: [Source]) {
            sets = sources.map { (n: $0.n, terms: Set(CitationVerifier.terms($0.text))) }
            quantities = Dictionary(sources.map { ($0.n, CitationVerifier.quantities($0.text)) }, uniquingKeysWith: { a, b in a.union(b) })
            df = [:]
            for s in sets { for t in s.terms { df[t, default: 0] += 1 } }
        }

        func weight(_ t: String) -> Double {
            log(1 + (Double(sets.count) + 1) / (Double(df[t] ?? 0) + 0.5))
        }
    }

    /// The best-matching source of a sentence, if any shares a term.
    func support(of sentence: String, in sources: [Source]) -> Support? {
        support(of: sentence, SourceIndex(sources))
    }

    /// The best source for a sentence: one that contains all its numbers if any does, then
    /// the highest score (the earlier source on a tie).
    func support(of sentence: String, _ index: SourceIndex) -> Support? {
        let terms = Set(Self.terms(sentence))
        guard !terms.isEmpty else { return nil }
        let numbers = terms.filter { $0.first?.isNumber == true }
        let quantities = Self.quantities(sentence)
        let total = terms.reduce(0) { $0 + index.weight($1) }
        var best: Support?
        for s in index.sets {
            let shared = terms.intersection(s.terms)
            guard !shared.isEmpty else { continue }
            let score = shared.reduce(0) { $0 + index.weight($1) } / total
            let missing = numbers.subtracting(s.terms).count + quantities.subtracting(index.quantities[s.n] ?? []).count
            let candidate = Support(n: s.n, score: score, sharedTerms: shared.count, missingNumbers: missing)
            if let b = best, (b.missingNumbers == 0 ? 1 : 0, b.score) >= (candidate.missingNumbers == 0 ? 1 : 0, candidate.score) { continue }
            best = candidate
        }
        return best
    }

    /// Whether a support is strong enough to cite.
    func isStrong(_ s: Support) -> Bool {
        s.score >= threshold && s.sharedTerms >= minimumSharedTerms && s.missingNumbers == 0
    }
}
