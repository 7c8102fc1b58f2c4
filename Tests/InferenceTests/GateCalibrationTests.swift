import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// The relevance gate's self-calibration (issue 20, item 2): pseudo-questions drawn from the
/// corpus, the threshold chosen from them, stored at ingest and used by the pipeline.
@Suite("Gate calibration")
struct GateCalibrationTests {
    /// Six unrelated passages, one a document.
    static let passages: [PseudoQuestions.Passage] = [
        .init(
            documentID: "sepsis",
            text:
                "Give broad-spectrum antibiotics within one hour when septic shock is likely. Noradrenaline is the first-line vasopressor, targeting a mean arterial pressure of 65 mmHg."
        ),
        .init(
            documentID: "asthma",
            text:
                "Give salbutamol five milligrams by oxygen-driven nebuliser, repeated every fifteen minutes. Prednisolone forty milligrams orally for five days shortens the exacerbation."
        ),
        .init(
            documentID: "gout",
            text:
                "Colchicine or naproxen treats an acute gout flare within twenty four hours. Allopurinol lowers serum urate when flares recur despite lifestyle changes."
        ),
        .init(
            documentID: "croup",
            text:
                "Dexamethasone by mouth reduces croup symptoms in children within hours. Nebulised adrenaline relieves severe stridor while the steroid takes effect."
        ),
        .init(
            documentID: "warfarin",
            text:
                "Warfarin reversal with prothrombin complex concentrate and intravenous vitamin K is urgent in major bleeding. The international normalised ratio is rechecked after reversal."
        ),
        .init(
            documentID: "thyroid",
            text:
                "Thyroid storm is treated with propylthiouracil, propranolol and hydrocortisone. Iodine is given one hour after the thionamide blocks new hormone synthesis."
        ),
    ]

    /// Rarity for the fixture: words of one passage are rare, words of several common.
    static func rarity(_ word: String) -> Double {
        let stem = Stemmer.stem(word)
        let n = passages.filter { Set(PseudoQuestions.contentWords($0.text).map(Stemmer.stem)).contains(stem) }.count
        return EvidenceScorer.idf(df: n, n: passages.count)
    }

    static func stems(_ text: String) -> Set<String> { Set(PseudoQuestions.contentWords(text).map(Stemmer.stem)) }

    @Test("the draw is deterministic: the same seed draws the same questions, another seed others")
    func deterministic() {
        let a = PseudoQuestions(count: 40, seed: 7).draw(Self.passages, rarity: Self.rarity)
        let b = PseudoQuestions(count: 40, seed: 7).draw(Self.passages, rarity: Self.rarity)
        let c = PseudoQuestions(count: 40, seed: 8).draw(Self.passages, rarity: Self.rarity)
        #expect(a == b)
        #expect(a != c)
    }

    @Test("half answerable, from every document, 3 to 15 content words, short and long, wh- and yes/no")
    func shapes() {
        let drawn = PseudoQuestions(count: 60, seed: 20).draw(Self.passages, rarity: Self.rarity)
        let answerable = drawn.filter(\.answerable)
        #expect(answerable.count == 30)
        #expect(drawn.count - answerable.count >= 20)
        #expect(Set(answerable.compactMap(\.gold)) == Set(Self.passages.map(\.documentID)))
        let lengths = drawn.map { PseudoQuestions.contentWords($0.text).count }
        #expect(lengths.allSatisfy { (2...15).contains($0) })
        #expect(lengths.filter { $0 <= 5 }.count > 0)
        #expect(lengths.filter { $0 >= 8 }.count > 0)
        #expect(drawn.contains { $0.text.hasPrefix("Is ") } && drawn.contains { $0.text.hasPrefix("What about ") })
        #expect(drawn.allSatisfy { $0.text.hasSuffix("?") })
    }

    @Test("an answerable question keeps its passage's rarest words; an unanswerable one no passage holds whole")
    func answerability() {
        let drawn = PseudoQuestions(count: 60, seed: 20).draw(Self.passages, rarity: Self.rarity)
        for q in drawn {
            let words = Self.stems(q.text)
            if let gold = q.gold {
                let source = Self.stems(Self.passages.first { $0.documentID == gold }!.text)
                let rarest = words.max { Self.rarity($0) < Self.rarity($1) }!
                #expect(source.contains(rarest), "\(q.text) from \(gold)")
            } else {
                #expect(!Self.passages.contains { words.isSubset(of: Self.stems($0.text)) }, "\(q.text) is covered")
                #expect(q.kind != .sentence)
            }
        }
        // Some are worded otherwise than their source: a common word of another document swapped in.
        #expect(
            drawn.contains { q in
                q.gold.map { g in !Self.stems(q.text).isSubset(of: Self.stems(Self.passages.first { $0.documentID == g }!.text)) } ?? false
            })
    }

    @Test("one passage: answerable questions only, since no two documents can be combined")
    func oneDocument() {
        let drawn = PseudoQuestions(count: 10, seed: 1).draw(Array(Self.passages.prefix(1)), rarity: Self.rarity)
        #expect(!drawn.isEmpty)
        #expect(drawn.allSatisfy { $0.answerable })
        #expect(PseudoQuestions(count: 10, seed: 1).draw([], rarity: Self.rarity).isEmpty)
    }

    @Test("the threshold separating the two kinds, a tie going toward refusing")
    func choice() {
        // Everything from 1.01 to 2.00 separates perfectly: the highest is chosen.
        let c = GateCalibration.choose(positives: [2.0, .infinity, 2.5], negatives: [-.infinity, 1.0, 0.5])
        #expect(abs(c.threshold - 2.0) < 1e-9)
        #expect(c.accuracy == 1)
        // An overlap: the best balanced accuracy, not the most questions right.
        let d = GateCalibration.choose(positives: [1.2, 1.8, .infinity, .infinity], negatives: [1.5, -.infinity])
        #expect(abs(d.threshold - 1.8) < 1e-9)
        #expect(abs(d.accuracy - 0.875) < 1e-9)
    }

    @Test("clamped to the sane range; without both kinds the default stands")
    func clamping() {
        let high = GateCalibration.choose(positives: [.infinity], negatives: [3.6])
        #expect(high.threshold == GateCalibration.range.upperBound)
        #expect(abs(high.unclamped - 4.0) < 1e-9)
        let low = GateCalibration.choose(positives: [0.4, .infinity], negatives: [0.2, -.infinity])
        #expect(low.threshold == GateCalibration.range.lowerBound)
        #expect(GateCalibration.choose(positives: [2], negatives: []).threshold == RelevanceGate.defaultMinimumSpecificity)
    }

    @Test("ingest stores a calibration; the pipeline judges with it when switched on, a threshold set overrides it")
    func ingestStoresAndPipelineUses() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        for p in Self.passages { _ = try bed.write("notes/\(p.documentID).md", "# \(p.documentID.capitalized)\n\n\(p.text)\n") }
        // A database without a calibration (one made before it existed) keeps the default.
        #expect(try await Pipeline(database: bed.db).gateInUse().minimumSpecificity == RelevanceGate.defaultMinimumSpecificity)
        let summary = try await Ingestor(database: bed.db, calibration: GateCalibration()).ingest(paths: [bed.dir + "/notes"])
        let made = try #require(summary.calibration)
        // Off by default: an ingest that does not ask for it spends nothing on it.
        let plain = try TestBed()
        defer { plain.cleanup() }
        #expect(try await Ingestor(database: plain.db).ingest(paths: [bed.dir + "/notes"]).calibration == nil)
        #expect(try await bed.db.gateCalibration() == made)
        #expect(GateCalibration.range.contains(made.threshold))
        #expect(made.answerable > 0 && made.unanswerable > 0 && made.documents == Self.passages.count)
        #expect(made.indexVersion == summary.indexVersion)
        // Reported, not used unless switched on (see `Pipeline.usesCorpusCalibration`).
        var pipeline = Pipeline(database: bed.db)
        #expect(try await pipeline.gateInUse().minimumSpecificity == RelevanceGate.defaultMinimumSpecificity)
        pipeline.usesCorpusCalibration = true
        #expect(try await pipeline.gateInUse().minimumSpecificity == made.threshold)
        // Setting a threshold turns the calibration off.
        pipeline.refusalThreshold = 1.2
        #expect(try await pipeline.gateInUse().minimumSpecificity == 1.2)
        // Unchanged and calibrated: not calibrated again.
        #expect(try await Ingestor(database: bed.db, calibration: GateCalibration()).ingest(paths: [bed.dir + "/notes"]).calibration == nil)
    }
}
