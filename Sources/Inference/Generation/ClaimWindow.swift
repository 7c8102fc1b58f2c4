/// Finds the one or two passage sentences that cover a claim's items best, in time linear in
/// the passage.
///
/// Comparing every pair of sentences is quadratic: a 200 KB citation from a RAG peer (some
/// 1,500 sentences, a million pairs, each a set union) took 18 s per answer sentence, and
/// a 3 MB one froze the gateway (issue 19). Only what a sentence adds to the title and
/// section matters, so each sentence becomes a bit set over the claim's items it adds
/// (work proportional to its items); sentences adding nothing drop out, and of sentences
/// adding the same set only the first can be chosen. Pairs are compared only among those
/// distinct sets, largest first, stopping as soon as two sets together cannot reach the best
/// pair so far; a passage built to defeat that is cut off after `pairBudget` comparisons
/// (keeping the best pair found). Within the budget the result is exactly the exhaustive
/// search's: the first sentence on a tie, the first pair (by index) on a tie, a pair only
/// when it covers more than any one sentence.
enum ClaimWindow {
    /// Most pairs of distinct sentence sets compared for one claim and one passage.
    static let pairBudget = 1 << 14

    struct Result {
        var covered: Set<String>
        var indices: [Int]
        /// Items visited plus pairs compared: the work done, for tests that check it grows
        /// linearly with the passage.
        var work: Int
    }

    /// What one or more sentences add to the header, as bits over the claim's items.
    private struct Mask {
        var bits: [UInt64]
        var count: Int
        var first: Int
    }

    static func best(_ items: Set<String>, header: Set<String>, sentenceItems: [Set<String>]) -> Result {
        let fromHeader = items.intersection(header)
        let rest = Array(items.subtracting(fromHeader))
        var bit: [String: Int] = [:]
        for (i, item) in rest.enumerated() { bit[item] = i }
        let words = (rest.count + 63) / 64
        var work = 0
        var masks: [Mask] = []
        var seen: Set<[UInt64]> = []
        var single: (count: Int, index: Int)?
        for (i, offered) in sentenceItems.enumerated() {
            if i % 256 == 0, Task.isCancelled { break } // nobody waits for the answer any more
            var bits = [UInt64](repeating: 0, count: words)
            var count = 0
            func add(_ b: Int) {
                let (w, m) = (b / 64, UInt64(1) << UInt64(b % 64))
                if bits[w] & m == 0 {
                    bits[w] |= m
                    count += 1
                }
            }
            if offered.count <= rest.count {
                work += offered.count
                for item in offered { if let b = bit[item] { add(b) } }
            } else {
                work += rest.count
                for (b, item) in rest.enumerated() where offered.contains(item) { add(b) }
            }
            guard count > 0 else { continue }
            if count > (single?.count ?? 0) { single = (count, i) }
            if seen.insert(bits).inserted { masks.append(Mask(bits: bits, count: count, first: i)) }
        }
        guard let single else { return Result(covered: fromHeader, indices: [], work: work) }

        // Pairs, largest sets first; a pair must cover more than the best single sentence.
        let order = masks.indices.sorted { (masks[$0].count, -masks[$0].first) > (masks[$1].count, -masks[$1].first) }
        var pair: (count: Int, first: Int, second: Int)?
        var budget = pairBudget
        outer: for x in order.indices {
            let a = masks[order[x]]
            for y in order.indices.dropFirst(x + 1) {
                let b = masks[order[y]]
                if a.count + b.count < max(single.count + 1, pair?.count ?? 0) {
                    if y == x + 1 { break outer } // no later pair can reach it either
                    break
                }
                if budget == 0 { break outer }
                budget -= 1
                work += 1
                var union = 0
                for w in 0..<words { union += (a.bits[w] | b.bits[w]).nonzeroBitCount }
                let (lo, hi) = (min(a.first, b.first), max(a.first, b.first))
                guard union > single.count else { continue }
                if let p = pair, union < p.count || (union == p.count && (p.first, p.second) <= (lo, hi)) { continue }
                pair = (union, lo, hi)
            }
        }
        if let pair {
            let covered = items.intersection(header.union(sentenceItems[pair.first]).union(sentenceItems[pair.second]))
            return Result(covered: covered, indices: [pair.first, pair.second], work: work)
        }
        return Result(covered: items.intersection(header.union(sentenceItems[single.index])), indices: [single.index], work: work)
    }
}
