/// Keeps embedding inputs under the model's token limit without the model's tokenizer.
///
/// all-MiniLM-L6-v2 (BERT WordPiece, uncased) accepts 512 tokens and llama-server answers
/// HTTP 500 above that, failing the whole batch. The estimate counts WordPiece-like pieces:
/// each punctuation or symbol character is a token, a letter run costs one token plus one
/// per further few letters (rare clinical words split into several pieces), a digit run one
/// token per few digits, and each CJK character one token. It over-estimates ordinary prose,
/// so truncation errs on the safe side; the embedding client still shrinks and retries if a
/// server reports an input too large.
public struct EmbeddingInputGuard: Sendable, Hashable {
    /// The model's input limit in tokens, special tokens included.
    public var maxTokens = 512
    /// Share of the limit the estimate may fill (the rest absorbs estimation error).
    public var safety = 0.9

    /// Estimated tokens the text may fill (without the two special tokens).
    public var budget: Int { max(8, Int(Double(maxTokens) * safety) - 2) }

    /// Estimated WordPiece tokens of `text` (without special tokens).
    public func estimateTokens(_ text: String) -> Int {
        var total = 0
        forEachPiece(text) { cost, _ in
            total += cost
            return true
        }
        return total
    }

    /// `text` cut after the last whole word that fits `budget` estimated tokens (unchanged when it fits).
    public func truncate(_ text: String, budget: Int? = nil) -> String {
        let limit = budget ?? self.budget
        var used = 0
        var cut: String.UnicodeScalarView.Index?
        forEachPiece(text) { cost, end in
            if used + cost > limit { return false }
            used += cost
            cut = end
            return true
        }
        guard let cut else { return used == 0 && estimateTokens(text) == 0 ? text : "" }
        if cut == text.unicodeScalars.endIndex { return text }
        return String(text.unicodeScalars[..<cut])
    }

    /// Calls `body(cost, endIndex)` for each piece in order until it returns false.
    private func forEachPiece(_ text: String, _ body: (Int, String.UnicodeScalarView.Index) -> Bool) {
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let s = scalars[i]
            if s.properties.isWhitespace || s.properties.generalCategory == .control {
                i = scalars.index(after: i)
                continue
            }
            if Self.isIdeograph(s) || !(s.properties.isAlphabetic || s.properties.numericType != nil) {
                // An ideograph, punctuation or symbol: one token each (emoji become [UNK]).
                let next = scalars.index(after: i)
                if s.properties.generalCategory == .nonspacingMark {
                    i = next
                    continue
                }
                if !body(1, next) { return }
                i = next
                continue
            }
            // A run of letters/digits (diacritics stay with their letter).
            var j = i
            var letters = 0
            var digits = 0
            var cost = 0
            func flush() {
                if letters > 0 { cost += 1 + max(0, letters - 5 + 3) / 4 }
                if digits > 0 { cost += (digits + 2) / 3 }
                letters = 0
                digits = 0
            }
            while j < scalars.endIndex {
                let c = scalars[j]
                if c.properties.generalCategory == .nonspacingMark {
                    j = scalars.index(after: j)
                    continue
                }
                if Self.isIdeograph(c) || !(c.properties.isAlphabetic || c.properties.numericType != nil) { break }
                if c.properties.numericType != nil {
                    if letters > 0 { flush() }
                    digits += 1
                } else {
                    if digits > 0 { flush() }
                    letters += 1
                }
                j = scalars.index(after: j)
            }
            flush()
            if !body(cost, j) { return }
            i = j
        }
    }

    static func isIdeograph(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FA1F: return true
        default: return false
        }
    }
}
