import Foundation
import Synchronization

/// The tokenizer of the `chunk_fts` index, `porter unicode61 remove_diacritics 2`, in Swift
/// (not GRDB's `FTS5Tokenizer` protocol, which registers tokenizers with SQLite),
/// so the in-memory BM25 index (`BM25Index`) sees the same terms FTS5 does.
///
/// unicode61: a token is a run of letters, numbers and private-use characters (with combining
/// diacritics inside a token kept), folded to lower case without diacritics. ASCII text, by
/// far most of a clinical corpus, follows SQLite's rules exactly; other scripts use Swift's
/// Unicode tables, which may differ from SQLite's in rare characters (so a question with a
/// non-ASCII term is searched by FTS5 itself, see `BM25Index`). porter: SQLite's own Porter
/// stemmer (ext/fts5/fts5_tokenize.c) applied to the folded UTF-8 bytes of tokens of 3 to
/// 64 bytes; other tokens pass through unchanged.
enum ChunkTokenizer {
    /// Calls `token` with the folded, stemmed bytes of each token of `text`, in order.
    static func tokenize(_ text: String, _ token: (UnsafeBufferPointer<UInt8>) -> Void) {
        scan(text) { folded in
            Porter.stem(&folded)
            folded.withUnsafeBufferPointer(token)
        }
    }

    /// Calls `token` with the folded bytes of each token of `text` before stemming (the
    /// in-memory index stems each distinct word once).
    static func scan(_ text: String, _ token: (inout [UInt8]) -> Void) {
        var text = text
        text.withUTF8 { utf8 in
            var folded = [UInt8]()
            folded.reserveCapacity(64)
            var i = 0
            let n = utf8.count
            var inToken = false
            func emit() {
                token(&folded)
                folded.removeAll(keepingCapacity: true)
                inToken = false
            }
            while i < n {
                let b = utf8[i]
                if b < 0x80 {
                    if asciiTokenChar(b) {
                        folded.append(b >= 0x41 && b <= 0x5A ? b + 32 : b)
                        inToken = true
                    } else if inToken {
                        emit()
                    }
                    i += 1
                    continue
                }
                // A non-ASCII scalar: decode it.
                let (scalar, length) = decode(utf8, at: i)
                i += length
                if isTokenChar(scalar) || (inToken && isDiacritic(scalar)) {
                    appendFolded(scalar, to: &folded)
                    inToken = true
                } else if inToken {
                    emit()
                }
            }
            if inToken { emit() }
        }
    }

    /// The tokens of `text` as strings (tests and query terms).
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        tokenize(text) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    @inline(__always)
    static func asciiTokenChar(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    static func decode(_ utf8: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = UInt32(utf8[i])
        var length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 1
        length = min(length, utf8.count - i)
        var value = length == 4 ? b0 & 0x07 : length == 3 ? b0 & 0x0F : length == 2 ? b0 & 0x1F : b0
        for k in 1..<max(length, 1) { value = (value << 6) | (UInt32(utf8[i + k]) & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", max(length, 1))
    }

    static func isTokenChar(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .privateUse:
            return true
        default:
            return false
        }
    }

    static func isDiacritic(_ s: Unicode.Scalar) -> Bool {
        (0x300...0x36F).contains(s.value)
    }

    static let foldCache = FoldCache()

    /// Lower case without diacritics (remove_diacritics 2), as UTF-8.
    static func appendFolded(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: foldCache.fold(s))
    }

    /// Folded bytes per non-ASCII scalar seen so far.
    final class FoldCache: Sendable {
        private let table = Mutex<[UInt32: [UInt8]]>([:])

        func fold(_ s: Unicode.Scalar) -> [UInt8] {
            if let hit = table.withLock({ $0[s.value] }) { return hit }
            var folded = [UInt8]()
            for u in String(s).lowercased().decomposedStringWithCanonicalMapping.unicodeScalars where !ChunkTokenizer.isDiacritic(u) {
                folded.append(contentsOf: Array(String(u).utf8))
            }
            table.withLock { $0[s.value] = folded }
            return folded
        }
    }
}

/// SQLite FTS5's Porter stemmer over the bytes of one folded token (non-ASCII bytes count as
/// consonants, as in SQLite).
enum Porter {
    static let maxToken = 64

    static func stem(_ w: inout [UInt8]) {
        guard w.count >= 3, w.count <= maxToken else { return }
        step1A(&w)
        if step1B(&w) {
            if !apply(&w, rules1B2) {
                let c = at(w, w.count - 1)
                if !isVowel(c, false), c != ch("l"), c != ch("s"), c != ch("z"), c == at(w, w.count - 2) {
                    w.removeLast()
                } else if mEq1(w, w.count), oStar(w, w.count) {
                    w.append(ch("e"))
                }
            }
        }
        // Step 1C.
        if at(w, w.count - 1) == ch("y"), hasVowel(w, w.count - 1) { w[w.count - 1] = ch("i") }
        apply(&w, rules2)
        apply(&w, rules3)
        apply(&w, rules4)
        // Step 5a.
        if at(w, w.count - 1) == ch("e") {
            if mGt1(w, w.count - 1) || (mEq1(w, w.count - 1) && !oStar(w, w.count - 1)) { w.removeLast() }
        }
        // Step 5b.
        if w.count > 1, at(w, w.count - 1) == ch("l"), at(w, w.count - 2) == ch("l"), mGt1(w, w.count - 1) { w.removeLast() }
    }

    @inline(__always) static func ch(_ s: Unicode.Scalar) -> UInt8 { UInt8(s.value) }
    /// The byte at `i`, or 0 out of range (SQLite reads its buffer there; no rule matches a 0).
    @inline(__always) static func at(_ w: [UInt8], _ i: Int) -> UInt8 { i >= 0 && i < w.count ? w[i] : 0 }

    @inline(__always) static func isVowel(_ c: UInt8, _ yIsVowel: Bool) -> Bool {
        c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75 || (yIsVowel && c == 0x79)
    }

    /// Past the first vowel-consonant sequence of `w[from..<from+n]`: its end, or 0 if none.
    static func gobbleVC(_ w: [UInt8], _ from: Int, _ n: Int, _ prevCons: Bool) -> Int {
        var cons = prevCons
        var i = 0
        while i < n {
            cons = !isVowel(w[from + i], cons)
            if !cons { break }
            i += 1
        }
        i += 1
        while i < n {
            cons = !isVowel(w[from + i], cons)
            if cons { return i + 1 }
            i += 1
        }
        return 0
    }

    static func mGt0(_ w: [UInt8], _ n: Int) -> Bool { gobbleVC(w, 0, n, false) != 0 }
    static func mGt1(_ w: [UInt8], _ n: Int) -> Bool {
        let k = gobbleVC(w, 0, n, false)
        return k != 0 && gobbleVC(w, k, n - k, true) != 0
    }
    static func mEq1(_ w: [UInt8], _ n: Int) -> Bool {
        let k = gobbleVC(w, 0, n, false)
        return k != 0 && gobbleVC(w, k, n - k, true) == 0
    }
    static func oStar(_ w: [UInt8], _ n: Int) -> Bool {
        let last = at(w, n - 1)
        if last == ch("w") || last == ch("x") || last == ch("y") { return false }
        var mask = 0
        var cons = false
        for i in 0..<max(n, 0) {
            cons = !isVowel(w[i], cons)
            mask = (mask << 1) + (cons ? 1 : 0)
        }
        return (mask & 7) == 5
    }
    static func mGt1SorT(_ w: [UInt8], _ n: Int) -> Bool {
        let last = at(w, n - 1)
        return (last == ch("s") || last == ch("t")) && mGt1(w, n)
    }
    static func hasVowel(_ w: [UInt8], _ n: Int) -> Bool {
        for i in 0..<max(n, 0) where isVowel(w[i], i > 0) { return true }
        return false
    }

    static func step1A(_ w: inout [UInt8]) {
        let n = w.count
        guard at(w, n - 1) == ch("s") else { return }
        if at(w, n - 2) == ch("e") {
            if (n > 4 && w[n - 4] == ch("s") && w[n - 3] == ch("s")) || (n > 3 && w[n - 3] == ch("i")) {
                w.removeLast(2)
            } else {
                w.removeLast(1)
            }
        } else if at(w, n - 2) != ch("s") {
            w.removeLast(1)
        }
    }

    /// A rule: the suffix, the condition on the stem before it, the replacement.
    struct Rule: Sendable {
        var suffix: [UInt8]
        var condition: @Sendable ([UInt8], Int) -> Bool
        var output: [UInt8]
    }

    static func rule(_ suffix: String, _ condition: @escaping @Sendable ([UInt8], Int) -> Bool, _ output: String) -> Rule {
        Rule(suffix: Array(suffix.utf8), condition: condition, output: Array(output.utf8))
    }

    /// SQLite's generated steps: rules grouped by the word's second-to-last byte; the first
    /// rule whose suffix matches (with the word strictly longer than it) is the only one tried.
    /// Returns whether a rule applied.
    @discardableResult
    static func apply(_ w: inout [UInt8], _ groups: [UInt8: [Rule]]) -> Bool {
        let n = w.count
        guard let rules = groups[at(w, n - 2)] else { return false }
        for r in rules where n > r.suffix.count && w[(n - r.suffix.count)...].elementsEqual(r.suffix) {
            let stem = n - r.suffix.count
            guard r.condition(w, stem) else { return false }
            w.removeLast(r.suffix.count)
            w.append(contentsOf: r.output)
            return true
        }
        return false
    }

    static func groups(_ rules: [Rule]) -> [UInt8: [Rule]] {
        var out: [UInt8: [Rule]] = [:]
        for r in rules { out[r.suffix[r.suffix.count - 2], default: []].append(r) }
        return out
    }

    static let always: @Sendable ([UInt8], Int) -> Bool = { _, _ in true }

    static let rules1B = groups([rule("eed", mGt0, "ee"), rule("ed", hasVowel, ""), rule("ing", hasVowel, "")])
    static let rules1B2 = groups([rule("at", always, "ate"), rule("bl", always, "ble"), rule("iz", always, "ize")])
    static let rules2 = groups([
        rule("ational", mGt0, "ate"), rule("tional", mGt0, "tion"), rule("enci", mGt0, "ence"), rule("anci", mGt0, "ance"),
        rule("izer", mGt0, "ize"), rule("logi", mGt0, "log"), rule("bli", mGt0, "ble"), rule("alli", mGt0, "al"),
        rule("entli", mGt0, "ent"), rule("eli", mGt0, "e"), rule("ousli", mGt0, "ous"), rule("ization", mGt0, "ize"),
        rule("ation", mGt0, "ate"), rule("ator", mGt0, "ate"), rule("alism", mGt0, "al"), rule("iveness", mGt0, "ive"),
        rule("fulness", mGt0, "ful"), rule("ousness", mGt0, "ous"), rule("aliti", mGt0, "al"), rule("iviti", mGt0, "ive"),
        rule("biliti", mGt0, "ble"),
    ])
    static let rules3 = groups([
        rule("ical", mGt0, "ic"), rule("ness", mGt0, ""), rule("icate", mGt0, "ic"), rule("iciti", mGt0, "ic"),
        rule("ful", mGt0, ""), rule("ative", mGt0, ""), rule("alize", mGt0, "al"),
    ])
    static let rules4 = groups([
        rule("al", mGt1, ""), rule("ance", mGt1, ""), rule("ence", mGt1, ""), rule("er", mGt1, ""), rule("ic", mGt1, ""),
        rule("able", mGt1, ""), rule("ible", mGt1, ""), rule("ant", mGt1, ""), rule("ement", mGt1, ""), rule("ment", mGt1, ""),
        rule("ent", mGt1, ""), rule("ion", mGt1SorT, ""), rule("ou", mGt1, ""), rule("ism", mGt1, ""), rule("ate", mGt1, ""),
        rule("iti", mGt1, ""), rule("ous", mGt1, ""), rule("ive", mGt1, ""), rule("ize", mGt1, ""),
    ])

    /// Step 1B: true when "ed" or "ing" was removed (not for "eed" → "ee": that rule, tried
    /// first on a word ending in "eed", is the only one tried there).
    static func step1B(_ w: inout [UInt8]) -> Bool {
        let eed = w.count > 3 && w.suffix(3).elementsEqual("eed".utf8)
        return apply(&w, rules1B) && !eed
    }
}
