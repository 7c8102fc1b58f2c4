/// Lexical and dense retrieval fused by reciprocal rank fusion: BM25 finds the exact
/// terms (drug names, doses), vectors find paraphrases; a passage both rank well wins.
///
/// Both retrievers run concurrently over `depth` candidates each. A failure of either is
/// an error (not a silent fall-back to one of them), so a missing component is visible.
public struct HybridRetriever: Retriever {
    public let name = "hybrid"
    public var lexical: any Retriever
    public var semantic: any Retriever
    public var fusion: ReciprocalRankFusion
    public var lexicalWeight: Double
    public var semanticWeight: Double
    /// Candidates taken from each retriever: at least `minimumDepth`, or `topK × depthFactor`.
    public var minimumDepth: Int
    public var depthFactor: Int

    public init(
        lexical: any Retriever, semantic: any Retriever, fusion: ReciprocalRankFusion = ReciprocalRankFusion(),
        lexicalWeight: Double = 1, semanticWeight: Double = 1, minimumDepth: Int = 20, depthFactor: Int = 4
    ) {
        self.lexical = lexical
        self.semantic = semantic
        self.fusion = fusion
        self.lexicalWeight = lexicalWeight
        self.semanticWeight = semanticWeight
        self.minimumDepth = minimumDepth
        self.depthFactor = depthFactor
    }

    public func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
        guard topK > 0 else { return [] }
        let depth = max(minimumDepth, topK * depthFactor)
        async let l = lexical.retrieve(question, topK: depth, filters: filters)
        async let s = semantic.retrieve(question, topK: depth, filters: filters)
        let (lexicalHits, semanticHits) = try await (l, s)
        let passages = Dictionary((lexicalHits + semanticHits).map { ($0.chunk.id, $0) }, uniquingKeysWith: { first, _ in first })
        let fused = fusion.fuse([
            .init(lexicalHits.map(\.chunk.id), weight: lexicalWeight),
            .init(semanticHits.map(\.chunk.id), weight: semanticWeight),
        ])
        return fused.prefix(topK).compactMap { f in
            guard var p = passages[f.id] else { return nil }
            p.score = f.score
            return p
        }
    }
}
