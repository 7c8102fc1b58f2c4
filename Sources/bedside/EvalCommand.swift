import ArgumentParser
import Core
import Foundation
import Inference
import SQLiteStore

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval on a question set: recall@1/5/10, MRR@10 and latency.",
        discussion: """
            Ingests CORPUS into a fresh database of its own (or --db), runs every question
            through retrieval and counts a hit when any gold document is in the top k.
            Questions: one {"id","question","gold_ids":[...]} per line.
            --unanswerable FILE adds questions the corpus does not answer and runs every
            question through the whole pipeline (relevance gate, then extractive answers, or
            the configured LLM with --llm): refusal rate on those, false-refusal rate on the
            answerable ones, citation precision (share of cited passages from a gold
            document), the share of answers whose every sentence is supported, and the
            latency of the whole pipeline. Give --unanswerable once per list: each list's
            refusals are counted on its own (unanswerable_lists in --json).
            --calibrate reports two thresholds of the relevance gate's minimum specificity:
            the one a calibration on the corpus finds (from pseudo-questions drawn from the
            corpus's own passages; reported, not used by the pipeline), and the one that best
            separates these questions' gold documents' evidence from the off-topic questions'
            best evidence (without --unanswerable: from the best non-gold document's).
            --details FILE writes one JSON line per question with the evidence.
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

    @Option(
        help: ArgumentHelp(
            "Questions the corpus does not answer (one a line, or JSONL with \"question\"): reports how many are refused, and runs every question through the full pipeline (false refusals, citation precision, supported answers, pipeline latency). Repeat for several lists; each is counted on its own.",
            valueName: "path"))
    var unanswerable: [String] = []

    @Flag(help: "With --unanswerable: answer with the configured LLM (default: extractive answers, fast and repeatable).")
    var llm = false

    @Option(name: .customLong("field-weights"), help: ArgumentHelp("BM25 weights of title, section and body (default 2,1.5,1).", valueName: "t,s,b"))
    var fieldWeights: String?

    @Option(
        name: .customLong("feedback-terms"),
        help: ArgumentHelp("Pseudo-relevance feedback: words from the first passages added to the BM25 query (default 0: off).", valueName: "n"))
    var feedbackTerms: Int?

    @Option(
        name: .customLong("fusion-weights"),
        help: ArgumentHelp("Hybrid: weights of the BM25 and vector rankings in the fusion (default 1,1).", valueName: "l,v"))
    var fusionWeights: String?

    @Option(
        name: .customLong("fusion-depth"), help: ArgumentHelp("Hybrid: candidates taken from each retriever, at least (default 20).", valueName: "n"))
    var fusionDepth: Int?

    @Option(help: ArgumentHelp("Write one JSON line per question (retrieved passages, relevance evidence, verdict) to this file.", valueName: "path"))
    var details: String?

    func run() async throws {
        try await reportingErrors {
            let temp = database.db == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("bedside-eval-\(UUID().uuidString)") : nil
            if let temp { try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true) }
            defer { if let temp { try? FileManager.default.removeItem(at: temp) } }
            let db = try StoreSettings.open(path: temp.map { $0.appendingPathComponent("eval.sqlite").path } ?? database.path)
            // A throwaway database gets a throwaway Qdrant collection: its chunk ids must not
            // overwrite the points of the collection that serves the real index.
            let collection = temp != nil ? "bedside-eval-\(UUID().uuidString.prefix(8).lowercased())" : nil
            let setup = try await components.setUp(database: db) { config in
                if let collection { config.qdrant?.collection = collection }
            }
            let report = try await withCleanup {
                try await evaluate(setup: setup, db: db)
            } cleanup: {
                await dropCollection(collection, setup)
                await setup.shutdown()
            }
            print(report)
        }
    }

    /// Deletes the throwaway Qdrant collection of an eval run.
    func dropCollection(_ collection: String?, _ setup: ComponentOptions.Setup) async {
        guard let collection, setup.config.index == .qdrant, setup.usesVectors, let client = try? setup.components?.qdrantClient() else { return }
        try? await client.deleteCollection(collection)
    }

    /// What the full pipeline did with the questions (with --unanswerable).
    struct Outcomes {
        var answerable = 0, falselyRefused = 0
        var unanswerable = 0, refused = 0
        /// Questions and refusals of each unanswerable list, in the order given.
        var listQuestions: [Int] = [], listRefused: [Int] = []
        var cited = 0, citedGold = 0
        var answered = 0, allSupported = 0
        /// Milliseconds from the question to the finished answer or refusal (retrieval,
        /// gate and generation), for the answerable questions and for the unanswerable ones.
        var answerableMS: [Double] = [], unanswerableMS: [Double] = []
    }

    /// Ingests the corpus, runs the questions and formats the report (text or JSON).
    func evaluate(setup: ComponentOptions.Setup, db: BedsideDatabase) async throws -> String {
        // Vectors only when retrieval reads them: a bm25 run is not slowed by embedding.
        let ingest = try await Ingestor(
            database: db, sink: setup.usesVectors ? setup.sink : nil, calibration: calibrate ? GateCalibration() : nil
        ).ingest(paths: [corpus]) { p in
            Terminal.progress("Ingesting: \(p.documents) documents, \(p.chunks) passages")
        }
        Terminal.endProgress()
        let qs = try loadQuestions()
        guard !qs.isEmpty else { throw BedsideError(.badRequest, "\(questions) holds no questions.") }
        let lists = try loadUnanswerableLists()
        var setup = setup
        setup.retriever = try tuned(setup.retriever)
        var pipeline = setup.pipeline(db)
        if !llm { pipeline.generator = ExtractiveGenerator() }
        // This ingest's calibration, or the one already stored (an unchanged --db).
        var corpusCalibration = ingest.calibration
        if corpusCalibration == nil { corpusCalibration = try await db.gateCalibration() }
        let gateInUse = try await pipeline.gateInUse()
        let runPipeline = !lists.isEmpty
        var detailLines: [Data] = []
        var outcomes = Outcomes(listQuestions: Array(repeating: 0, count: lists.count), listRefused: Array(repeating: 0, count: lists.count))
        var ranks: [Int?] = []
        var latencies: [Double] = []
        var positives: [Double] = []
        var negatives: [Double] = []
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
            if runPipeline || details != nil || calibrate {
                let j = try await judge(q.question, id: q.id, gold: gold, pipeline: pipeline, outcomes: &outcomes, details: &detailLines)
                // Calibration: the gold document's evidence should pass; without off-topic
                // questions, the best non-gold document's evidence stands in for "should refuse".
                if let g = j.documents.filter({ gold.contains($0.documentID) }).map(\.specificity).max() { positives.append(g) }
                if lists.isEmpty, let n = j.documents.filter({ !gold.contains($0.documentID) }).map(\.specificity).max() { negatives.append(n) }
            }
            if (i + 1) % 25 == 0 { Terminal.progress("Questions \(i + 1)/\(qs.count)") }
        }
        for (l, list) in lists.enumerated() {
            for (i, q) in list.questions.enumerated() {
                let j = try await judge(
                    q, id: "\(list.name)-\(i + 1)", gold: nil, list: l, pipeline: pipeline, outcomes: &outcomes, details: &detailLines)
                negatives.append(j.documents.first?.specificity ?? 0)
            }
        }
        Terminal.endProgress()
        if let details {
            let out = Data(detailLines.map { $0 + [0x0A] }.joined())
            do { try out.write(to: URL(fileURLWithPath: details)) } catch {
                throw BedsideError(.badRequest, "Cannot write \(details).", detail: "\(error)")
            }
        }
        func recall(_ k: Int) -> Double { Double(ranks.filter { ($0 ?? .max) <= k }.count) / Double(ranks.count) }
        let mrr = ranks.map { r in r.map { $0 <= 10 ? 1.0 / Double($0) : 0 } ?? 0 }.reduce(0, +) / Double(ranks.count)
        func pct(_ p: Double) -> Double { Self.percentile(latencies, p) }
        var report: [String: Double] = [
            "questions": Double(qs.count), "recall@1": recall(1), "recall@5": recall(5), "recall@10": recall(10),
            "mrr@10": mrr, "latency_ms_p50": pct(0.5), "latency_ms_p95": pct(0.95),
            "latency_ms_first": latencies.first ?? 0, // includes loading the in-memory BM25 index
            "ingest_seconds": ingest.seconds, "documents": Double(ingest.documents), "chunks": Double(ingest.chunks),
            "embedded": Double(ingest.embedded),
        ]
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        if runPipeline {
            report["unanswerable_questions"] = Double(outcomes.unanswerable)
            report["unanswerable_refused"] = Double(outcomes.refused)
            report["refusal_rate"] = ratio(outcomes.refused, outcomes.unanswerable)
            report["false_refusals"] = Double(outcomes.falselyRefused)
            report["false_refusal_rate"] = ratio(outcomes.falselyRefused, outcomes.answerable)
            report["citation_precision"] = ratio(outcomes.citedGold, outcomes.cited)
            report["answers_all_supported"] = ratio(outcomes.allSupported, outcomes.answered)
            report["answer_latency_ms_p50"] = Self.percentile(outcomes.answerableMS, 0.5)
            report["answer_latency_ms_p95"] = Self.percentile(outcomes.answerableMS, 0.95)
            report["pipeline_latency_ms_p50"] = Self.percentile(outcomes.answerableMS + outcomes.unanswerableMS, 0.5)
        }
        if calibrate {
            let (threshold, accuracy) = Self.bestThreshold(positives: positives, negatives: negatives)
            report["refusal_threshold"] = threshold
            report["refusal_balanced_accuracy"] = accuracy
            report["refusal_threshold_in_use"] = gateInUse.minimumSpecificity
        }
        let index = setup.usesVectors ? setup.config.index.rawValue : "none"
        if json {
            let rounded = report.mapValues { ($0 * 10000).rounded() / 10000 }
            var obj: [String: JSONValue] = rounded.mapValues { .number($0) }
            obj["retriever"] = .string(setup.retriever.name)
            obj["index"] = .string(index)
            obj["settings"] = .string(settings(setup.retriever))
            if calibrate, let c = corpusCalibration {
                obj["gate_calibration"] = .object([
                    "threshold": .number(c.threshold), "unclamped": .number(c.unclamped),
                    "balanced_accuracy": .number((c.balancedAccuracy * 10000).rounded() / 10000),
                    "default_balanced_accuracy": .number((c.defaultAccuracy * 10000).rounded() / 10000),
                    "answerable": .number(Double(c.answerable)), "answered": .number(Double(c.answered)),
                    "unanswerable": .number(Double(c.unanswerable)), "refused": .number(Double(c.refused)),
                    "seconds": .number(c.seconds), "index_version": .number(Double(c.indexVersion)),
                ])
            }
            if runPipeline {
                obj["generator"] = .string(pipeline.generator.model)
                obj["unanswerable_lists"] = .array(
                    lists.enumerated().map { l, list in
                        .object([
                            "name": .string(list.name), "path": .string(list.path), "questions": .number(Double(outcomes.listQuestions[l])),
                            "refused": .number(Double(outcomes.listRefused[l])),
                            "refusal_rate": .number((ratio(outcomes.listRefused[l], outcomes.listQuestions[l]) * 10000).rounded() / 10000),
                        ])
                    })
            }
            return try Terminal.json(obj)
        }
        var lines = [
            "Questions: \(qs.count)   retriever: \(setup.retriever.name)   index: \(index)   corpus: \(ingest.documents) documents, \(ingest.chunks) passages (ingest \(String(format: "%.2f", ingest.seconds)) s)",
            "settings: " + settings(setup.retriever),
            String(format: "recall@1 %.3f   recall@5 %.3f   recall@10 %.3f   MRR@10 %.3f", recall(1), recall(5), recall(10), mrr),
            String(format: "retrieval latency p50 %.2f ms   p95 %.2f ms", pct(0.5), pct(0.95)),
        ]
        if runPipeline {
            let o = outcomes
            lines.append(
                String(
                    format: "unanswerable refused %d/%d (%.1f%%)   answerable falsely refused %d/%d (%.1f%%)",
                    o.refused, o.unanswerable, 100 * ratio(o.refused, o.unanswerable),
                    o.falselyRefused, o.answerable, 100 * ratio(o.falselyRefused, o.answerable)))
            if lists.count > 1 {
                for (l, list) in lists.enumerated() {
                    lines.append(
                        "  \(list.name): refused \(o.listRefused[l])/\(o.listQuestions[l])"
                            + String(format: " (%.1f%%)", 100 * ratio(o.listRefused[l], o.listQuestions[l])))
                }
            }
            lines.append(
                String(
                    format:
                        "citation precision %.3f (%d/%d cited passages from a gold document)   answers with every sentence supported %.3f (%d/%d)   generator: ",
                    ratio(o.citedGold, o.cited), o.citedGold, o.cited, ratio(o.allSupported, o.answered), o.allSupported, o.answered)
                    + pipeline.generator.model)
            lines.append(
                String(
                    format: "answer latency (whole pipeline, answerable questions) p50 %.2f ms   p95 %.2f ms",
                    report["answer_latency_ms_p50"] ?? 0, report["answer_latency_ms_p95"] ?? 0))
        }
        if calibrate {
            if let c = corpusCalibration {
                lines.append(
                    String(
                        format:
                            "relevance gate, corpus calibration: minimum specificity %.2f%@ (balanced accuracy %.3f: %d/%d answerable pseudo-questions answered, %d/%d unanswerable refused; the default %.2f scores %.3f; %.2f s)",
                        c.threshold, c.unclamped == c.threshold ? "" : String(format: " (best %.2f, clamped)", c.unclamped), c.balancedAccuracy,
                        c.answered, c.answerable, c.refused, c.unanswerable, RelevanceGate.defaultMinimumSpecificity, c.defaultAccuracy,
                        c.seconds))
            } else {
                lines.append("relevance gate, corpus calibration: none stored")
            }
            let against = lists.isEmpty ? "best non-gold documents" : "off-topic questions"
            lines.append(
                String(
                    format: "relevance gate, these questions: minimum specificity %.2f (balanced accuracy %.3f on %d gold documents / %d ",
                    report["refusal_threshold"]!, report["refusal_balanced_accuracy"]!, positives.count, negatives.count)
                    + against + String(format: "); in use: %.2f", gateInUse.minimumSpecificity))
        }
        return lines.joined(separator: "\n")
    }

    /// Runs one question through the pipeline (gate, then generation) and counts the outcome;
    /// `gold` is nil for a question the corpus does not answer, which belongs to unanswerable
    /// list number `list`.
    @discardableResult
    func judge(
        _ question: String, id: String, gold: Set<String>?, list: Int? = nil, pipeline: Pipeline, outcomes: inout Outcomes, details: inout [Data]
    ) async throws -> RelevanceGate.Judgement {
        let request = try QueryRequest(question: question).validated()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let assessment = try await pipeline.assess(request)
        let answer = try await pipeline.run(request, assessment: assessment, started: Date()) { _ in }
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        if let gold {
            outcomes.answerable += 1
            outcomes.answerableMS.append(ms)
            if answer.refused { outcomes.falselyRefused += 1 }
            if !answer.refused {
                outcomes.answered += 1
                outcomes.cited += answer.citations.count
                outcomes.citedGold += answer.citations.filter { gold.contains($0.sourceID) }.count
                if !answer.sentences.isEmpty && answer.sentences.allSatisfy({ !$0.unsupported && !$0.citations.isEmpty }) {
                    outcomes.allSupported += 1
                }
            }
        } else {
            outcomes.unanswerable += 1
            outcomes.unanswerableMS.append(ms)
            if answer.refused { outcomes.refused += 1 }
            if let list, list < outcomes.listQuestions.count {
                outcomes.listQuestions[list] += 1
                if answer.refused { outcomes.listRefused[list] += 1 }
            }
        }
        guard self.details != nil else { return assessment.judgement }
        let ev = assessment.evidence
        let words = FTSQuery.terms(question)
        var terms: [JSONValue] = []
        for (i, t) in ev.terms.enumerated() {
            terms.append(
                .object([
                    "term": .string(i < words.count ? words[i] : t.stem), "stem": .string(t.stem), "idf": .number(t.weight),
                    "df": .number(Double(i < ev.frequencies.count ? ev.frequencies[i] : -1)),
                ]))
        }
        let documents: [JSONValue] = assessment.judgement.documents.map { d in
            .object([
                "doc": .string(d.documentID), "gold": .bool(gold?.contains(d.documentID) ?? false), "coverage": .number(d.coverage),
                "specificity": .number(d.specificity), "answers": .bool(d.answers),
            ])
        }
        let passages: [JSONValue] = assessment.judgement.passages.map { p in
            let hit = assessment.passages[p.rank]
            return .object([
                "doc": .string(hit.chunk.documentID), "gold": .bool(gold?.contains(hit.chunk.documentID) ?? false),
                "score": .number(hit.score), "coverage": .number(p.coverage), "present": .array(p.present.map { .bool($0) }),
                "sentence_coverage": .number(p.sentenceCoverage), "sentence_present": .array(p.sentencePresent.map { .bool($0) }),
                "sentence": .string(p.sentence),
            ])
        }
        let obj: [String: JSONValue] = [
            "id": .string(id), "question": .string(question), "answerable": .bool(gold != nil), "chunks": .number(Double(ev.chunks)),
            "terms": .array(terms), "passages": .array(passages), "documents": .array(documents), "refused": .bool(answer.refused),
            "focus": .array((assessment.judgement.focus?.terms ?? []).map { .string($0) }),
            "focus_core": .array((assessment.judgement.focus?.core ?? []).sorted().map { .string($0) }),
            "gate": .string(assessment.judgement.reason), "cited": .array(answer.citations.map { .string($0.sourceID) }),
            "answer": .string(answer.answer), "latency_ms": .number((ms * 100).rounded() / 100),
        ]
        details.append(try WireCoding.encoder().encode(obj))
        return assessment.judgement
    }

    /// The retrieval settings in force, in words.
    func settings(_ retriever: any Retriever) -> String {
        if let b = retriever as? BM25Retriever {
            return String(
                format: "bm25 field weights %g,%g,%g; feedback terms %d", b.fieldWeights.title, b.fieldWeights.section, b.fieldWeights.body,
                b.feedbackTerms)
        }
        if let h = retriever as? HybridRetriever {
            return settings(h.lexical) + String(format: "; fusion weights %g,%g; fusion depth %d", h.lexicalWeight, h.semanticWeight, h.minimumDepth)
        }
        return retriever.name
    }

    /// The retriever with this command line's retrieval settings applied.
    func tuned(_ retriever: any Retriever) throws -> any Retriever {
        func numbers(_ text: String, _ count: Int, _ flag: String) throws -> [Double] {
            let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == count, values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw BedsideError(.badRequest, "\(flag) takes \(count) non-negative numbers separated by commas (got \"\(text)\").")
            }
            return values
        }
        if var bm25 = retriever as? BM25Retriever {
            if let fieldWeights {
                let w = try numbers(fieldWeights, 3, "--field-weights")
                bm25.fieldWeights = .init(title: w[0], section: w[1], body: w[2])
            }
            if let feedbackTerms { bm25.feedbackTerms = max(0, feedbackTerms) }
            return bm25
        }
        if var hybrid = retriever as? HybridRetriever {
            hybrid.lexical = try tuned(hybrid.lexical)
            if let fusionWeights {
                let w = try numbers(fusionWeights, 2, "--fusion-weights")
                hybrid.lexicalWeight = w[0]
                hybrid.semanticWeight = w[1]
            }
            if let fusionDepth { hybrid.minimumDepth = max(1, fusionDepth) }
            return hybrid
        }
        return retriever
    }

    /// The value below which a share `p` of `values` lie (nearest rank); 0 when there are none.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
    }

    /// The specificity threshold maximising balanced accuracy (gold evidence accepted, the
    /// rest refused), searched from 0 to 4 in steps of 0.01; the lowest such threshold wins.
    static func bestThreshold(positives: [Double], negatives: [Double]) -> (Double, Double) {
        guard !positives.isEmpty, !negatives.isEmpty else { return (Pipeline.defaultRefusalThreshold, 0) }
        var best = (Pipeline.defaultRefusalThreshold, 0.0)
        for step in 0...400 {
            let t = Double(step) / 100
            let tpr = Double(positives.filter { $0 >= t }.count) / Double(positives.count)
            let tnr = Double(negatives.filter { $0 < t }.count) / Double(negatives.count)
            let acc = (tpr + tnr) / 2
            if acc > best.1 { best = (t, acc) }
        }
        return best
    }
}
