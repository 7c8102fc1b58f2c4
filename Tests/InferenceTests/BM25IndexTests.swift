import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

@Suite("In-memory BM25 index: FTS5's ranking without FTS5 on the hot path")
struct BM25IndexTests {
    /// Notes with headings (section column), shared words, inflections the stemmer folds
    /// ("bleeding"/"bleeds", "infusions"/"infused"), numbers, and a non-ASCII word.
    static let corpus: [Document] = [
        Document(id: "sepsis", title: "Sepsis: initial management", text: TestBed.sepsisNote),
        Document(id: "asthma", title: "Acute asthma", text: TestBed.asthmaNote),
        Document(
            id: "bleed", title: "Major bleeding",
            text: """
                # Major bleeding

                ## Resuscitation

                Bleeding patients need tranexamic acid within 3 hours; massive bleeds need blood products in a 1:1:1 ratio.
                Haemorrhage control comes first; permissive hypotension is reasonable until bleeding is controlled.

                ## Reversal

                Warfarin-associated bleeding is reversed with prothrombin complex concentrate and vitamin K infusions.
                """),
        Document(
            id: "potassium", title: "Hyperkalaemia",
            text: """
                # Hyperkalaemia

                Calcium gluconate stabilises the myocardium. Insulin with glucose shifts potassium into cells; salbutamol nebulised helps.
                Recheck potassium hourly after the infusion; infused insulin causes hypoglycaemia, so monitor glucose.
                """),
        Document(
            id: "anaphylaxis", title: "Anaphylaxis",
            text: """
                # Anaphylaxis

                ## Adrenaline

                Give intramuscular adrenaline 500 micrograms (0.5 mL of 1 mg/mL) into the anterolateral thigh; repeat after 5 minutes.
                Generalisation of urticaria, wheeze, and hypotension suggest anaphylaxis. Café-au-lait spots are unrelated.
                """),
        Document(
            id: "dka", title: "Diabetic ketoacidosis",
            text: """
                # Diabetic ketoacidosis

                Fixed-rate insulin infusion at 0.1 units/kg/hour. Fluids: sodium chloride 0.9%, potassium added once below 5.5 mmol/L.
                Ketones, glucose and potassium are monitored hourly; bicarbonate is rarely needed. Rationalisation of fluids follows.
                """),
    ]

    static let questions = [
        "What is the IM adrenaline dose for anaphylaxis?", "bleeding warfarin reversal", "How is potassium shifted into cells?",
        "insulin infusion rate in DKA", "first-line fluid bolus in septic shock", "nebulised salbutamol asthma",
        "hourly monitoring of glucose and potassium", "tranexamic acid timing", "generalised urticaria hypotension",
        "sepsis", "controlled", "units", "a", "hypoglycaemia after infused insulin", "rationalisation generalisation",
    ]

    func bed(_ docs: [Document] = BM25IndexTests.corpus) async throws -> TestBed {
        let bed = try TestBed()
        _ = try await Ingestor(database: bed.db).ingest(documents: docs)
        return bed
    }

    /// The same passages, in the same order, with the same scores as FTS5's bm25.
    func expectSameAsFTS5(
        _ db: BedsideDatabase, _ question: String, weights: BedsideDatabase.FieldWeights = .standard,
        topK: Int = 10, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let memory = BM25Retriever(database: db, fieldWeights: weights)
        var fts5 = memory
        fts5.useMemoryIndex = false
        let a = try await memory.retrieve(question, topK: topK, filters: [:])
        let b = try await fts5.retrieve(question, topK: topK, filters: [:])
        #expect(a.map(\.chunk.id) == b.map(\.chunk.id), "\(question)", sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) {
            #expect(abs(x.score - y.score) <= 1e-9 * max(1, abs(y.score)), "\(question): \(x.score) vs \(y.score)", sourceLocation: sourceLocation)
        }
    }

    @Test func rankingAndScoresEqualFTS5() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        for q in Self.questions { try await expectSameAsFTS5(bed.db, q) }
        // Other column weights, including fractions FTS5 sums instance by instance.
        for w in [
            BedsideDatabase.FieldWeights(title: 10, section: 1, body: 1), .init(title: 0, section: 0, body: 1),
            .init(title: 1.3, section: 0.7, body: 1.1),
        ] {
            for q in Self.questions.prefix(6) { try await expectSameAsFTS5(bed.db, q, weights: w) }
        }
    }

    @Test func tokenizerMatchesFTS5OnEveryWordOfTheCorpus() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let index = BM25Index.shared(for: bed.db)
        _ = try await index.search(terms: ["sepsis"], limit: 1)
        var words = Set<String>()
        for d in Self.corpus { for w in FTSQuery.words(d.title + " " + d.text) where BM25Index.handles([w]) { words.insert(w) } }
        let sorted = words.sorted()
        let memory = try #require(index.loadedFrequencies(sorted))
        let fts5 = try await bed.db.termChunkFrequencies(sorted)
        #expect(memory.chunks == fts5.chunks)
        for w in sorted { #expect(memory.frequencies[w] == fts5.frequencies[w], "\(w)") }
    }

    @Test func porterStemsLikeSQLite() {
        // Porter's own examples (Porter 1980) and SQLite's byte-level edge cases.
        let cases = [
            "caresses": "caress", "ponies": "poni", "ties": "ti", "cats": "cat", "feed": "feed", "agreed": "agre",
            "plastered": "plaster", "motoring": "motor", "sing": "sing", "conflated": "conflat", "troubled": "troubl",
            "sized": "size", "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss", "fizzed": "fizz",
            "failing": "fail", "filing": "file", "happy": "happi", "relational": "relat", "conditional": "condit",
            "rational": "ration", "valenci": "valenc", "digitizer": "digit", "generalization": "gener",
            "electrical": "electr", "hopefulness": "hope", "revival": "reviv", "adjustment": "adjust",
            "adoption": "adopt", "controlling": "control", "roll": "roll", "bleeding": "bleed", "bleeds": "bleed",
            "haemorrhage": "haemorrhag", "it": "it", "caf\u{E9}": "cafe", "DKA": "dka", "0.9": "0",
        ]
        for (word, stem) in cases { #expect(ChunkTokenizer.tokens(word).first == stem, "\(word)") }
        #expect(ChunkTokenizer.tokens("Café-au-lait, naïve 1:1:1") == ["cafe", "au", "lait", "naiv", "1", "1", "1"])
    }

    @Test func rankingEqualsABruteForceBM25() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        // Brute force: every FTS row re-tokenized, BM25 computed from scratch per question.
        let rows = try await bed.db.scanFTSIndex(afterID: 0) { _, next in
            var out: [FTSIndexRow] = []
            while let r = try next() { out.append(r) }
            return out
        }
        let docs = rows.map { r in (id: r.id, columns: [r.title, r.section, r.body].map(ChunkTokenizer.tokens)) }
        let avgdl = Double(docs.reduce(0) { $0 + $1.columns.joined().count }) / Double(docs.count)
        let weights = [2.0, 1.5, 1.0]
        let index = BM25Index.shared(for: bed.db)
        for q in Self.questions {
            let tokens = FTSQuery.terms(q).map { ChunkTokenizer.tokens($0)[0] }
            var expected: [(id: Int64, score: Double)] = []
            for d in docs {
                var score = 0.0
                var matched = false
                for t in tokens {
                    let n = docs.filter { $0.columns.joined().contains(t) }.count
                    let idf = max(log((Double(docs.count) - Double(n) + 0.5) / (Double(n) + 0.5)), 1e-6)
                    let f = zip(d.columns, weights).reduce(0.0) { $0 + Double($1.0.filter { $0 == t }.count) * $1.1 }
                    if f > 0 { matched = true }
                    score += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * Double(d.columns.joined().count) / avgdl))
                }
                if matched { expected.append((d.id, score)) }
            }
            expected.sort { ($0.score, -$0.id) > ($1.score, -$1.id) }
            let got = try await index.search(terms: FTSQuery.terms(q), limit: 5)
            #expect(got.map(\.chunk.id) == expected.prefix(5).map(\.id), "\(q)")
            for (g, e) in zip(got, expected) { #expect(abs(g.score - e.score) < 1e-9, "\(q)") }
        }
    }

    @Test func staysInStepWithIngestAndDelete() async throws {
        let bed = try await bed(Array(Self.corpus.prefix(3)))
        defer { bed.cleanup() }
        let retriever = BM25Retriever(database: bed.db)
        #expect(try await retriever.retrieve("hyperkalaemia calcium gluconate", topK: 3, filters: [:]).isEmpty)
        // Added after the copy was loaded: found, with the ranking FTS5 gives.
        _ = try await Ingestor(database: bed.db).ingest(documents: Array(Self.corpus.suffix(3)))
        #expect(try await retriever.retrieve("hyperkalaemia calcium gluconate", topK: 3, filters: [:]).first?.chunk.documentID == "potassium")
        for q in Self.questions { try await expectSameAsFTS5(bed.db, q) }
        // Deleted: gone, and the scores follow the smaller corpus.
        #expect(try await bed.db.deleteDocument(id: "potassium"))
        #expect(
            try await retriever.retrieve("hyperkalaemia calcium gluconate", topK: 3, filters: [:]).allSatisfy { $0.chunk.documentID != "potassium" })
        for q in Self.questions { try await expectSameAsFTS5(bed.db, q) }
        // Replaced (changed text): the new words are found, the old ones are not.
        _ = try await Ingestor(database: bed.db).ingest(documents: [
            Document(id: "bleed", title: "Major bleeding", text: "Pelvic binder for pelvic fractures.")
        ])
        #expect(try await retriever.retrieve("pelvic binder", topK: 3, filters: [:]).first?.chunk.documentID == "bleed")
        #expect(try await retriever.retrieve("tranexamic", topK: 3, filters: [:]).isEmpty)
        for q in Self.questions { try await expectSameAsFTS5(bed.db, q) }
    }

    @Test func concurrentQueriesShareOneLoadAndAgree() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let retriever = BM25Retriever(database: bed.db)
        var fts5 = retriever
        fts5.useMemoryIndex = false
        var expected: [String: [Int64]] = [:]
        for q in Self.questions { expected[q] = try await fts5.retrieve(q, topK: 5, filters: [:]).map(\.chunk.id) }
        // Cold index: 8 rounds of every question at once, so the first load is contended.
        let results = try await withThrowingTaskGroup(of: (String, [Int64]).self) { group in
            for _ in 0..<8 {
                for q in Self.questions {
                    group.addTask { (q, try await retriever.retrieve(q, topK: 5, filters: [:]).map(\.chunk.id)) }
                }
            }
            var out: [(String, [Int64])] = []
            for try await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 8 * Self.questions.count)
        for (q, ids) in results { #expect(ids == expected[q], "\(q)") }
    }

    @Test func filtersAndNonASCIITermsAreSearchedByFTS5() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        #expect(!BM25Index.handles(["café"]))
        #expect(BM25Index.handles(["cafe", "0", "dka"]))
        let retriever = BM25Retriever(database: bed.db)
        let cafe = try await retriever.retrieve("café", topK: 3, filters: [:])
        #expect(cafe.first?.chunk.documentID == "anaphylaxis" || cafe.first?.chunk.documentID == "sepsis")
        let filtered = try await retriever.retrieve("potassium", topK: 5, filters: ["source_id": "dka"])
        #expect(!filtered.isEmpty && filtered.allSatisfy { $0.chunk.documentID == "dka" })
    }

    /// The shared dev corpus (skipped when absent): the in-memory ranking equals FTS5's for
    /// every dev question.
    @Test func devCorpusRankingEqualsFTS5() async throws {
        let path = "/work/shared/data/pubmedqa-dev"
        guard FileManager.default.fileExists(atPath: path + "/corpus.jsonl") else { return }
        func lines(_ name: String) throws -> [[String: Any]] {
            try String(contentsOfFile: path + "/" + name, encoding: .utf8).split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let docs = try lines("corpus.jsonl").map {
            Document(id: $0["id"] as? String ?? "", title: $0["title"] as? String ?? "", text: $0["text"] as? String ?? "")
        }
        let questions = try lines("questions.jsonl").compactMap { $0["question"] as? String }
        let bed = try await bed(docs)
        defer { bed.cleanup() }
        for q in questions.prefix(200) { try await expectSameAsFTS5(bed.db, q) }
    }
}
