import ArgumentParser
import Core
import Foundation
import Inference
import Store

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval on a question set: recall@1/5/10, MRR@10 and latency.",
        discussion: """
            Ingests CORPUS into a fresh database of its own (or --db), runs every question
            through retrieval and counts a hit when any gold document is in the top k.
            Questions: one {"id","question","gold_ids":[...]} per line.
            --calibrate also reports the refusal threshold that best separates the evidence
            for the gold passage from the evidence for the best non-gold passage.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions

    @Option(help: ArgumentHelp("Corpus .jsonl (or folder) to ingest.", valueName: "path"))
    var corpus: String

    @Option(help: ArgumentHelp("Questions .jsonl.", valueName: "path"))
    var questions: String

    @Option(name: .customLong("top-k"), help: "Depth of the ranking evaluated.")
    var topK = 10

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(help: "Also calibrate the refusal threshold on this set.")
    var calibrate = false

    struct Question: Decodable {
        var id: String
        var question: String
        var gold_ids: [String]
    }

    func run() async throws {
        try await reportingErrors {
            let temp = database.db == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("bedside-eval-\(UUID().uuidString)") : nil
            if let temp { try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true) }
            defer { if let temp { try? FileManager.default.removeItem(at: temp) } }
            let db = try BedsideDatabase(path: temp.map { $0.appendingPathComponent("eval.sqlite").path } ?? database.path)
            // A throwaway database gets a throwaway Qdrant collection: its chunk ids must not
            // overwrite the points of the collection that serves the real index.
            let collection = temp != nil ? "bedside-eval-\(UUID().uuidString.prefix(8).lowercased())" : nil
            let setup = try await components.setUp(database: db) { config in
                if let collection { config.qdrant?.collection = collection }
            }
            defer { setup.shutdown() }
            let report: String
            do {
                report = try await evaluate(setup: setup, db: db)
            } catch {
                await dropCollection(collection, setup)
                throw error
            }
            await dropCollection(collection, setup)
            print(report)
        }
    }

    /// Deletes the throwaway Qdrant collection of an eval run.
    func dropCollection(_ collection: String?, _ setup: ComponentOptions.Setup) async {
        guard let collection, setup.config.index == .qdrant, setup.usesVectors, let client = try? setup.components?.qdrantClient() else { return }
        try? await client.deleteCollection(collection)
    }

    /// Ingests the corpus, runs the questions and formats the report (text or JSON).
    func evaluate(setup: ComponentOptions.Setup, db: BedsideDatabase) async throws -> String {
        // Vectors only when retrieval reads them: a bm25 run is not slowed by embedding.
        let ingest = try await Ingestor(database: db, sink: setup.usesVectors ? setup.sink : nil).ingest(paths: [corpus]) { p in
            Terminal.progress("Ingesting: \(p.documents) documents, \(p.chunks) passages")
        }
        Terminal.endProgress()
        let qs = try loadQuestions()
        guard !qs.isEmpty else { throw BedsideError(.badRequest, "\(questions) holds no questions.") }
        var ranks: [Int?] = []
        var latencies: [Double] = []
        var positives: [Double] = [], negatives: [Double] = []
        let scorer = EvidenceScorer()
        // Passages are ranked; documents are ranked by their best passage.
        let depth = max(topK * 4, 40)
        for (i, q) in qs.enumerated() {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let passages = try await setup.retriever.retrieve(q.question, topK: depth, filters: [:])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            var docs: [String] = []
            for p in passages where !docs.contains(p.chunk.documentID) { docs.append(p.chunk.documentID) }
            let gold = Set(q.gold_ids)
            ranks.append(docs.prefix(topK).firstIndex { gold.contains($0) }.map { $0 + 1 })
            if calibrate {
                let w = try scorer.weigh(question: q.question, database: db)
                let cov = { (p: RetrievedPassage) in scorer.coverage(w, text: p.title + " " + p.chunk.section + " " + p.chunk.text) }
                if let g = passages.prefix(3).filter({ gold.contains($0.chunk.documentID) }).map(cov).max() { positives.append(g) }
                if let n = passages.filter({ !gold.contains($0.chunk.documentID) }).prefix(3).map(cov).max() { negatives.append(n) }
            }
            if (i + 1) % 25 == 0 { Terminal.progress("Questions \(i + 1)/\(qs.count)") }
        }
        Terminal.endProgress()
        func recall(_ k: Int) -> Double { Double(ranks.filter { ($0 ?? .max) <= k }.count) / Double(ranks.count) }
        let mrr = ranks.map { r in r.map { $0 <= 10 ? 1.0 / Double($0) : 0 } ?? 0 }.reduce(0, +) / Double(ranks.count)
        let sorted = latencies.sorted()
        func pct(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))] }
        var report: [String: Double] = [
            "questions": Double(qs.count), "recall@1": recall(1), "recall@5": recall(5), "recall@10": recall(10),
            "mrr@10": mrr, "latency_ms_p50": pct(0.5), "latency_ms_p95": pct(0.95),
            "ingest_seconds": ingest.seconds, "documents": Double(ingest.documents), "chunks": Double(ingest.chunks),
            "embedded": Double(ingest.embedded),
        ]
        if calibrate {
            let (threshold, accuracy) = Self.bestThreshold(positives: positives, negatives: negatives)
            report["refusal_threshold"] = threshold
            report["refusal_balanced_accuracy"] = accuracy
        }
        let index = setup.usesVectors ? setup.config.index.rawValue : "none"
        if json {
            let rounded = report.mapValues { ($0 * 10000).rounded() / 10000 }
            var obj: [String: JSONValue] = rounded.mapValues { .number($0) }
            obj["retriever"] = .string(setup.retriever.name)
            obj["index"] = .string(index)
            return String(decoding: try WireCoding.encoder(pretty: true).encode(obj), as: UTF8.self)
        }
        var lines = [
            "Questions: \(qs.count)   retriever: \(setup.retriever.name)   index: \(index)   corpus: \(ingest.documents) documents, \(ingest.chunks) passages (ingest \(String(format: "%.2f", ingest.seconds)) s)",
            String(format: "recall@1 %.3f   recall@5 %.3f   recall@10 %.3f   MRR@10 %.3f", recall(1), recall(5), recall(10), mrr),
            String(format: "retrieval latency p50 %.2f ms   p95 %.2f ms", pct(0.5), pct(0.95)),
        ]
        if calibrate {
            lines.append(String(format: "refusal threshold %.2f (balanced accuracy %.3f on %d gold / %d non-gold passages)",
                                report["refusal_threshold"]!, report["refusal_balanced_accuracy"]!, positives.count, negatives.count))
        }
        return lines.joined(separator: "\n")
    }

    func loadQuestions() throws -> [Question] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: questions)) } catch {
            throw BedsideError(.badRequest, "Cannot read \(questions).", detail: "\(error)")
        }
        var out: [Question] = []
        for (i, line) in data.split(separator: 0x0A).enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            do { out.append(try JSONDecoder().decode(Question.self, from: Data(line))) } catch {
                throw BedsideError(.badRequest, "\(questions):\(i + 1): expected {\"id\",\"question\",\"gold_ids\":[...]}.", detail: "\(error)")
            }
        }
        return out
    }

    /// The threshold maximising balanced accuracy (gold evidence accepted, non-gold refused).
    static func bestThreshold(positives: [Double], negatives: [Double]) -> (Double, Double) {
        guard !positives.isEmpty, !negatives.isEmpty else { return (Pipeline.defaultRefusalThreshold, 0) }
        var best = (Pipeline.defaultRefusalThreshold, 0.0)
        for step in 0...100 {
            let t = Double(step) / 100
            let tpr = Double(positives.filter { $0 >= t }.count) / Double(positives.count)
            let tnr = Double(negatives.filter { $0 < t }.count) / Double(negatives.count)
            let acc = (tpr + tnr) / 2
            if acc > best.1 { best = (t, acc) }
        }
        return best
    }
}
