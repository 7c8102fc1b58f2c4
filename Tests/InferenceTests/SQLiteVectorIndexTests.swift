import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

@Suite("Embedded vector index: SIMD cosine, top-k, filters")
struct SQLiteVectorIndexTests {
    func randomVector(_ dim: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<dim).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
    }

    @Test func simdDotMatchesANaiveReference() {
        var rng = SplitMix64(seed: 1)
        for dim in [1, 3, 15, 16, 17, 31, 384, 385] {
            let a = randomVector(dim, &rng)
            let b = randomVector(dim, &rng)
            let naive = zip(a, b).reduce(Double(0)) { $0 + Double($1.0) * Double($1.1) }
            #expect(abs(Double(VectorMath.dot(a, b)) - naive) < 1e-3 * max(1, abs(naive)), "dim \(dim)")
        }
        let n = VectorMath.normalized([3, 4])
        #expect(abs(n[0] - 0.6) < 1e-6 && abs(n[1] - 0.8) < 1e-6)
        #expect(VectorMath.normalized([0, 0]) == [0, 0])
    }

    @Test func topKMatchesAFullSortWithStableTies() {
        var rng = SplitMix64(seed: 2)
        let scores: [Float] = (0..<1_000).map { _ in Float(rng.next() % 50) } // many ties
        let reference = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
        for k in [1, 5, 37, 1_000, 2_000] {
            #expect(VectorMath.topK(scores, k: k) == Array(reference.prefix(k)), "k \(k)")
        }
        #expect(VectorMath.topK(scores, k: 0).isEmpty)
        #expect(VectorMath.topK([Float.nan, 1, 2], k: 3) == [2, 1])
        #expect(VectorMath.topK(scores, k: 10, where: { $0 % 2 == 0 }).allSatisfy { $0 % 2 == 0 })
    }

    /// A database with `n` one-chunk documents (year alternating 2019/2020, mesh tags).
    func bed(documents n: Int) async throws -> (TestBed, [Int64]) {
        let bed = try TestBed()
        var batch: [(document: Document, chunks: [Chunk])] = []
        for i in 0..<n {
            let text = "Passage number \(i)."
            batch.append(
                (
                    Document(
                        id: "doc\(i)", title: "Doc \(i)", text: text,
                        metadata: ["year": .string(i % 2 == 0 ? "2019" : "2020"), "mesh": .array([.string("Tag\(i % 3)")])]),
                    [Chunk(documentID: "doc\(i)", ordinal: 0, sectionPath: [], text: text, start: 0, end: text.utf8.count)]
                ))
        }
        let ids = try await bed.db.ingest(batch).newChunkIDs
        return (bed, ids)
    }

    @Test func searchMatchesBruteForceCosine() async throws {
        let (bed, ids) = try await bed(documents: 300)
        defer { bed.cleanup() }
        var rng = SplitMix64(seed: 3)
        let dim = 40
        var vectors: [Int64: [Float]] = [:]
        for id in ids { vectors[id] = randomVector(dim, &rng) }
        let index = SQLiteVectorIndex(database: bed.db, model: "test-model")
        try await index.upsert(ids.map { VectorRecord(chunkID: $0, documentID: "x", vector: vectors[$0]!.map { $0 * 7 }) }) // unnormalised on purpose
        #expect(try await index.count() == 300)
        for _ in 0..<5 {
            let q = randomVector(dim, &rng)
            func cosine(_ v: [Float]) -> Double {
                let d = zip(v, q).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                return d / (sqrt(v.reduce(0.0) { $0 + Double($1 * $1) }) * sqrt(q.reduce(0.0) { $0 + Double($1 * $1) }))
            }
            let reference = ids.map { ($0, cosine(vectors[$0]!)) }.sorted { $0.1 > $1.1 }.prefix(10)
            let hits = try await index.search(q, limit: 10, filters: [:])
            #expect(hits.map(\.chunkID) == reference.map(\.0))
            for (h, r) in zip(hits, reference) { #expect(abs(h.score - r.1) < 1e-4) }
        }
    }

    @Test func filtersUseDocumentMetadataLikeTheStore() async throws {
        let (bed, ids) = try await bed(documents: 200)
        defer { bed.cleanup() }
        let index = SQLiteVectorIndex(database: bed.db, model: "m")
        // Vector i points mostly along x, less so as i grows: ranking by cosine = ranking by id.
        try await index.upsert(ids.enumerated().map { i, id in VectorRecord(chunkID: id, documentID: "doc\(i)", vector: [1, Float(i) / 50, 0]) })
        let q: [Float] = [1, 0, 0]
        let all = try await index.search(q, limit: 5, filters: [:])
        #expect(all.map(\.chunkID) == Array(ids.prefix(5)))
        let y2020 = try await index.search(q, limit: 5, filters: ["year": "2020"])
        #expect(y2020.map(\.chunkID) == [ids[1], ids[3], ids[5], ids[7], ids[9]])
        let tag = try await index.search(q, limit: 3, filters: ["mesh": "Tag2", "year": "2019"])
        #expect(tag.map(\.chunkID) == [ids[2], ids[8], ids[14]])
        let one = try await index.search(q, limit: 5, filters: ["source_id": "doc150"])
        #expect(one.map(\.chunkID) == [ids[150]]) // found deep in the ranking (windows grow)
        #expect(try await index.search(q, limit: 5, filters: ["year": "1999"]).isEmpty)
    }

    @Test func dimensionMismatchAndReloadAfterExternalChanges() async throws {
        let (bed, ids) = try await bed(documents: 3)
        defer { bed.cleanup() }
        let index = SQLiteVectorIndex(database: bed.db, model: "m")
        try await index.upsert([VectorRecord(chunkID: ids[0], documentID: "doc0", vector: [1, 0, 0])])
        await #expect { try await index.upsert([VectorRecord(chunkID: ids[1], documentID: "doc1", vector: [1, 0])]) } throws: {
            ($0 as? BedsideError)?.code == .dimensionMismatch
        }
        await #expect { try await index.search([1, 0], limit: 1, filters: [:]) } throws: { ($0 as? BedsideError)?.code == .dimensionMismatch }
        // A fresh index (another process) learns the dimension from the stored vectors.
        let other = SQLiteVectorIndex(database: bed.db, model: "m")
        await #expect { try await other.upsert([VectorRecord(chunkID: ids[1], documentID: "doc1", vector: [1, 0])]) } throws: {
            ($0 as? BedsideError)?.code == .dimensionMismatch
        }
        #expect(try await index.search([1, 0, 0], limit: 5, filters: [:]).count == 1)
        // Another writer adds vectors: the cached matrix notices.
        try await other.upsert([VectorRecord(chunkID: ids[1], documentID: "doc1", vector: [0, 1, 0])])
        #expect(try await index.search([0, 1, 0], limit: 5, filters: [:]).map(\.chunkID) == [ids[1], ids[0]])
        // Vectors of another model are separate.
        let otherModel = SQLiteVectorIndex(database: bed.db, model: "other")
        #expect(try await otherModel.search([1, 0], limit: 5, filters: [:]).isEmpty)
        // Replacing a document deletes its chunks and their vectors (cascade).
        _ = try await bed.db.ingest([
            (
                Document(id: "doc0", title: "Doc 0", text: "New text."),
                [Chunk(documentID: "doc0", ordinal: 0, sectionPath: [], text: "New text.", start: 0, end: 9)]
            )
        ])
        try await index.deleteDocument("doc0")
        #expect(try await index.search([1, 0, 0], limit: 5, filters: [:]).map(\.chunkID) == [ids[1]])
    }

    struct FakeEmbedder: TextEmbedder {
        let model = "fake"
        /// Two axes: sepsis-ish and asthma-ish words.
        func embed(_ texts: [String]) async throws -> [[Float]] {
            texts.map { t in
                let l = t.lowercased()
                let a: Float = ["sepsis", "septic", "fluid", "crystalloid", "infection"].filter { l.contains($0) }.count > 0 ? 1 : 0
                let b: Float = ["asthma", "salbutamol", "wheeze", "bronch"].filter { l.contains($0) }.count > 0 ? 1 : 0
                return [a, b, 0.1]
            }
        }
    }

    @Test func indexerAndVectorRetrieverEndToEnd() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try bed.write("notes/asthma.md", TestBed.asthmaNote)
        let index = SQLiteVectorIndex(database: bed.db, model: "fake")
        let sink = EmbeddingIndexer(embedder: FakeEmbedder(), index: index)
        let summary = try await Ingestor(database: bed.db, sink: sink).ingest(paths: [bed.dir + "/notes"])
        #expect(summary.embedded == summary.chunks)
        #expect(try await index.count() == summary.chunks)
        let retriever = VectorRetriever(database: bed.db, embedder: FakeEmbedder(), index: index)
        let hits = try await retriever.retrieve("wheeze treatment", topK: 2, filters: [:])
        #expect(hits.first?.chunk.documentID == "asthma")
        #expect(retriever.name == "vector")
        // Backfill embeds only what is missing.
        #expect(try await sink.backfill(database: bed.db) == 0)
        let hybrid = HybridRetriever(lexical: BM25Retriever(database: bed.db), semantic: retriever)
        let fused = try await hybrid.retrieve("salbutamol dose", topK: 3, filters: [:])
        #expect(fused.first?.chunk.documentID == "asthma")
    }
}
