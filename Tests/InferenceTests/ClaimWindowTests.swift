import Testing

@testable import Inference

/// The best one or two passage sentences for a claim, found in linear time (issue 19: a
/// peer's 200 KB citation took 18 s per answer sentence with the exhaustive pair search).
@Suite("Claim window: linear and the same as the exhaustive search")
struct ClaimWindowTests {
    /// The exhaustive search ClaimWindow replaced: every sentence, then every pair.
    static func exhaustive(_ items: Set<String>, header: Set<String>, sentenceItems: [Set<String>]) -> (covered: Set<String>, indices: [Int]) {
        var best: (covered: Set<String>, indices: [Int]) = (items.intersection(header), [])
        for i in sentenceItems.indices {
            let single = items.intersection(header.union(sentenceItems[i]))
            if single.count > best.covered.count { best = (single, [i]) }
        }
        for i in sentenceItems.indices {
            for j in sentenceItems.indices where j > i {
                let pair = items.intersection(header.union(sentenceItems[i]).union(sentenceItems[j]))
                if pair.count > best.covered.count { best = (pair, [i, j]) }
            }
        }
        return best
    }

    /// A deterministic generator (the same cases on every run).
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11 | state << 53
        }
    }

    @Test("gives exactly the exhaustive search's window, ties included")
    func sameAsExhaustive() {
        var rng = Seeded(state: 19)
        let vocabulary = (0..<14).map { "t\($0)" }
        for _ in 0..<2_000 {
            let items = Set(vocabulary.filter { _ in Bool.random(using: &rng) })
            let header = Set(vocabulary.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 })
            let sentences = (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
                Set(vocabulary.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
            }
            let expected = Self.exhaustive(items, header: header, sentenceItems: sentences)
            let got = ClaimWindow.best(items, header: header, sentenceItems: sentences)
            #expect(got.indices == expected.indices, "items \(items.sorted()) header \(header.sorted()) sentences \(sentences.map { $0.sorted() })")
            #expect(got.covered == expected.covered)
        }
    }

    /// A passage where every sentence adds a different pair of the claim's items (so no
    /// sentence is dropped as a repeat), `n` sentences long.
    static func hostile(sentences n: Int) -> (items: Set<String>, sentences: [Set<String>]) {
        let items = Set((0..<64).map { "c\($0)" })
        let sentences = (0..<n).map { i -> Set<String> in
            ["c\(i % 64)", "c\((i / 64 + i + 1) % 64)", "filler\(i)", "word\(i % 97)", "other\(i % 13)"]
        }
        return (items, sentences)
    }

    @Test("work grows linearly with the passage: 2x and 4x the sentences, at most 2.2x and 4.4x the work")
    func linearWork() {
        let work = [2_000, 4_000, 8_000].map { n in
            let (items, sentences) = Self.hostile(sentences: n)
            return ClaimWindow.best(items, header: [], sentenceItems: sentences).work
        }
        // The exhaustive search compared n(n-1)/2 pairs: 2M, 8M, 32M here.
        #expect(Double(work[1]) <= 2.2 * Double(work[0]), "work \(work)")
        #expect(Double(work[2]) <= 4.4 * Double(work[0]), "work \(work)")
        #expect(work[2] < 8_000 * 5 + ClaimWindow.pairBudget, "work \(work)")
    }
}
