/// Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): each ranking contributes
/// `weight / (k + rank)` to an item's score (rank from 1), so items ranked well by several
/// retrievers rise, and scores on different scales (BM25, cosine) never need calibrating
/// against each other.
///
/// Ties are broken deterministically: the better best rank in any list, then the earlier
/// list holding that rank, then the smaller id. The same inputs always give the same order.
public struct ReciprocalRankFusion: Sendable, Hashable {
    /// The damping constant; 60 is the value from the paper and common practice.
    public var k: Double

    public init(k: Double = 60) {
        self.k = k
    }

    /// One ranking to fuse: ids best first, and how much the list counts.
    public struct Ranking<ID: Hashable & Comparable & Sendable>: Sendable {
        public var ids: [ID]
        public var weight: Double
        public init(_ ids: [ID], weight: Double = 1) {
            self.ids = ids
            self.weight = weight
        }
    }

    /// A fused item with its score (higher is better).
    public struct Fused<ID: Hashable & Comparable & Sendable>: Sendable, Hashable {
        public var id: ID
        public var score: Double
    }

    /// Running totals of one id while fusing.
    struct Entry {
        var score = 0.0
        var bestRank = Int.max
        var bestList = Int.max
    }

    /// Fuses rankings into one, best first. A duplicate id inside one ranking counts once, at
    /// its best rank.
    public func fuse<ID>(_ rankings: [Ranking<ID>]) -> [Fused<ID>] {
        var entries: [ID: Entry] = [:]
        for (listIndex, ranking) in rankings.enumerated() {
            var seen = Set<ID>()
            for (i, id) in ranking.ids.enumerated() where seen.insert(id).inserted {
                let rank = i + 1
                var e = entries[id] ?? Entry()
                e.score += ranking.weight / (k + Double(rank))
                if (rank, listIndex) < (e.bestRank, e.bestList) {
                    e.bestRank = rank
                    e.bestList = listIndex
                }
                entries[id] = e
            }
        }
        return entries.sorted { a, b in
            (-a.value.score, a.value.bestRank, a.value.bestList, a.key) < (-b.value.score, b.value.bestRank, b.value.bestList, b.key)
        }.map { Fused(id: $0.key, score: $0.value.score) }
    }
}
