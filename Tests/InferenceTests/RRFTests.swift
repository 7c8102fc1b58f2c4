import Core
import Testing

@testable import Inference

@Suite("Reciprocal rank fusion and hybrid retrieval")
struct RRFTests {
    let rrf = ReciprocalRankFusion()

    @Test func scoresAreSumsOfReciprocalRanks() {
        let fused = rrf.fuse([.init([10, 20, 30] as [Int64]), .init([20, 40] as [Int64])])
        #expect(fused.map(\.id) == [20, 10, 40, 30])
        let s20 = 1.0 / 62 + 1.0 / 61
        #expect(abs(fused[0].score - s20) < 1e-12)
        #expect(abs(fused[1].score - 1.0 / 61) < 1e-12)
    }

    @Test func weightsShiftTheOrder() {
        let lexical = ReciprocalRankFusion.Ranking<Int64>([1, 2], weight: 2)
        let dense = ReciprocalRankFusion.Ranking<Int64>([2, 1], weight: 1)
        #expect(rrf.fuse([lexical, dense]).map(\.id) == [1, 2])
        #expect(rrf.fuse([.init([1, 2], weight: 1), .init([2, 1], weight: 2)]).map(\.id) == [2, 1])
    }

    @Test func tiesBreakStablyByBestRankThenListThenID() {
        // 1 and 2 tie exactly (each rank 1 in one list, rank 2 in the other): the earlier list's first wins.
        #expect(rrf.fuse([.init([1, 2] as [Int64]), .init([2, 1] as [Int64])]).map(\.id) == [1, 2])
        #expect(rrf.fuse([.init([2, 1] as [Int64]), .init([1, 2] as [Int64])]).map(\.id) == [2, 1])
        // Same score, same best rank, same list impossible; different lists at the same rank → list order.
        #expect(rrf.fuse([.init([5] as [Int64]), .init([3] as [Int64])]).map(\.id) == [5, 3])
        // Fully equal inputs give the same output every time.
        let a = rrf.fuse([.init(Array(1...50) as [Int64]), .init(Array((1...50).reversed()) as [Int64])])
        for _ in 0..<5 { #expect(rrf.fuse([.init(Array(1...50) as [Int64]), .init(Array((1...50).reversed()) as [Int64])]) == a) }
    }

    @Test func duplicatesInOneListCountOnceAndEmptyListsAreFine() {
        #expect(rrf.fuse([.init([7, 7, 8] as [Int64])]).map(\.id) == [7, 8])
        #expect(rrf.fuse([ReciprocalRankFusion.Ranking<Int64>([])]).isEmpty)
        #expect(rrf.fuse([ReciprocalRankFusion.Ranking<Int64>]()).isEmpty)
    }

    struct Fixed: Retriever {
        let name: String
        let ids: [Int64]
        func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
            ids.prefix(topK).map {
                RetrievedPassage(
                    chunk: Chunk(id: $0, documentID: "d\($0)", ordinal: 0, sectionPath: [], text: "t\($0)", start: 0, end: 2), title: "T", score: 1)
            }
        }
    }

    struct Failing: Retriever {
        let name = "vector"
        func retrieve(_ question: String, topK: Int, filters: [String: String]) async throws -> [RetrievedPassage] {
            throw BedsideError(.inferenceUnavailable, "embedding server down")
        }
    }

    @Test func hybridFusesBothRetrieversAndPropagatesFailures() async throws {
        let h = HybridRetriever(lexical: Fixed(name: "bm25", ids: [1, 2, 3]), semantic: Fixed(name: "vector", ids: [3, 4, 1]))
        let out = try await h.retrieve("q", topK: 3, filters: [:])
        #expect(out.map(\.chunk.id) == [1, 3, 2])
        #expect(abs(out[0].score - (1.0 / 61 + 1.0 / 63)) < 1e-12)
        #expect(h.name == "hybrid")
        let broken = HybridRetriever(lexical: Fixed(name: "bm25", ids: [1]), semantic: Failing())
        await #expect { try await broken.retrieve("q", topK: 3, filters: [:]) } throws: { ($0 as? BedsideError)?.code == .inferenceUnavailable }
    }
}
