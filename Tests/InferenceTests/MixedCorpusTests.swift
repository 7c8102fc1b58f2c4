import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// Local notes beside the demo corpus (issue 20, items 1 and 5): a rare hospital name must
/// not carry a question the notes do not answer past the gate, and a dose for another
/// indication is never shown.
@Suite("Mixed corpora: local notes beside the demo corpus")
struct MixedCorpusTests {
    static let demoCorpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("corpus/demo").path

    static let hyperkalaemiaProtocol = """
        # St Elsewhere Hospital Hyperkalaemia Protocol

        ## Emergency treatment

        At St Elsewhere Hospital, potassium of 6.5 mmol/L or more, or ECG changes, is treated with \
        10 mL of 10% calcium gluconate intravenously over 10 minutes, repeated if the ECG changes persist. \
        Insulin 10 units with 25 g of glucose is then given intravenously over 15 minutes.

        ## Escalation

        The St Elsewhere renal registrar is contacted for potassium that stays above 6.5 mmol/L after treatment.
        """

    static let bleepList = """
        # Ward 7 Bleep and Phone List

        ## Teams

        The critical care outreach team is on bleep 2222 at any hour.
        The on-call medical registrar is on bleep 4410.
        The ward 7 nurse in charge is on extension 5307.
        """

    func bed() async throws -> TestBed {
        let bed = try TestBed()
        _ = try bed.write("notes/st-elsewhere-hyperkalaemia.md", Self.hyperkalaemiaProtocol)
        _ = try bed.write("notes/ward-7-bleeps.md", Self.bleepList)
        _ = try await Ingestor(database: bed.db).ingest(paths: [Self.demoCorpus, bed.dir + "/notes"])
        return bed
    }

    func ask(_ bed: TestBed, _ question: String) async throws -> Answer {
        try await Pipeline(database: bed.db).complete(QueryRequest(question: question))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: demoCorpus)))
    func questionsTheNotesDoNotCoverAreRefusedThoughTheNameIsRare() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let gentamicin = try await ask(bed, "What is the St Elsewhere gentamicin dosing protocol?")
        #expect(gentamicin.refused, "\(gentamicin.answer)")
        #expect(!gentamicin.answer.contains("calcium gluconate"))
        let microbiologist = try await ask(bed, "What is the bleep number for the on-call microbiologist?")
        #expect(microbiologist.refused, "\(microbiologist.answer)")
        #expect(!microbiologist.answer.contains("2222"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: demoCorpus)))
    func questionsTheNotesCoverAreAnsweredFromThem() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let protocolAnswer = try await ask(bed, "What is the St Elsewhere hyperkalaemia protocol?")
        #expect(!protocolAnswer.refused)
        #expect(protocolAnswer.citations.contains { $0.sourceID == "st-elsewhere-hyperkalaemia" })
        let outreach = try await ask(bed, "What is the bleep for the critical care outreach team?")
        #expect(!outreach.refused)
        #expect(outreach.answer.contains("2222"))
        #expect(outreach.citations.allSatisfy { $0.sourceID == "ward-7-bleeps" })
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: demoCorpus)))
    func aNeighbouringIndicationOrAnotherScoreIsRefused() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let pertussis = try await ask(bed, "Which drug is used for prophylaxis after close contact with pertussis?")
        #expect(pertussis.refused, "\(pertussis.answer)")
        #expect(!pertussis.answer.contains("ciprofloxacin"))
        let glasgow = try await ask(bed, "How is acute pancreatitis severity assessed with the Glasgow score?")
        #expect(glasgow.refused, "\(glasgow.answer)")
        // The demo corpus's own questions still answer.
        let meningitis = try await ask(bed, "What empirical antibiotic is given for bacterial meningitis in adults?")
        #expect(!meningitis.refused)
        #expect(meningitis.answer.contains("ceftriaxone"))
    }

    /// A passage that names the focus in passing (a febrile-neutropenia note on neutropenic
    /// sepsis) does not answer beside the note about it; another name or spelling of the focus
    /// is found; an attribute the question names must be stated; drug-class words do not refuse
    /// a question its source answers.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: demoCorpus)))
    func theSourceAboutTheFocusAnswersInItsOwnWords() async throws {
        let bed = try await bed()
        defer { bed.cleanup() }
        let sepsis = try await ask(bed, "What is the initial management of sepsis?")
        #expect(!sepsis.refused, "\(sepsis.answer)")
        #expect(sepsis.citations.allSatisfy { $0.sourceID == "sepsis-initial-management" }, "\(sepsis.citations.map(\.sourceID))")
        #expect(!sepsis.answer.contains("neutropenic"))
        let dextrose = try await ask(bed, "insulin dextrose for hyperkalaemia")
        #expect(!dextrose.refused, "\(dextrose.answer)")
        #expect(dextrose.answer.contains("glucose"))
        let american = try await ask(bed, "What is the emergency treatment of hyperkalemia?")
        #expect(!american.refused, "\(american.answer)")
        let medicines = try await ask(bed, "Which medicines should be stopped in acute kidney injury?")
        #expect(!medicines.refused, "\(medicines.answer)")
        #expect(medicines.citations.first?.sourceID == "acute-kidney-injury-kdigo")
        let cow = try await ask(bed, "What is the normal body temperature of a neonate with sepsis?")
        #expect(cow.refused, "\(cow.answer)")
        // A drug the corpus does not hold, among many words of the asthma note, is refused.
        let tiotropium = try await ask(bed, "What nebulised tiotropium dose is given to an adult with acute severe asthma and low peak flow?")
        #expect(tiotropium.refused, "\(tiotropium.answer)")
    }

    /// Common words met in passing (flea combs in a head-lice note, baked beans and powdered
    /// tea in a food list) do not make a source about fleas on a cat or about baking; a drug
    /// named once in the note on its condition still answers.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: demoCorpus)))
    func wordsMetInPassingDoNotAnswer() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        _ = try bed.write(
            "notes/head-lice.md",
            """
            # Head lice

            ## Treatment

            Head lice are treated with a dimeticone lotion applied to dry hair and washed off after 8 hours, \
            repeated after 7 days. Wet combing with a fine-toothed comb every 3 days for two weeks is an alternative. \
            Many flea combs made for cats and dogs are also effective for combing out nits.
            """)
        _ = try bed.write(
            "notes/phosphorus-diet.md",
            """
            # Eating right on haemodialysis

            ## Phosphorus

            High-phosphorus foods to limit: dairy foods, beans (baked, kidney, pinto), nuts, processed meats, cola, \
            bran cereals. Lower-phosphorus alternatives: rice cereals, popcorn, lemon-lime soda, powdered iced tea.
            """)
        _ = try await Ingestor(database: bed.db).ingest(paths: [Self.demoCorpus, bed.dir + "/notes"])
        let fleas = try await ask(bed, "How do I treat fleas on a cat?")
        #expect(fleas.refused, "\(fleas.answer)")
        let baking = try await ask(bed, "What is the difference between baking soda and baking powder in cakes?")
        #expect(baking.refused, "\(baking.answer)")
        let lice = try await ask(bed, "How are head lice treated?")
        #expect(!lice.refused, "\(lice.answer)")
        #expect(lice.citations.first?.sourceID == "head-lice")
        let apixaban = try await ask(bed, "apixaban dose reduction in atrial fibrillation")
        #expect(!apixaban.refused, "\(apixaban.answer)")
        #expect(apixaban.answer.lowercased().contains("apixaban"))
    }

    @Test func aRareNameIsAnswerableWhenADocumentDescribesIt() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let docs: [(String, String)] = [
            ("zcchc17", "# ZCCHC17\n\nZCCHC17 is a nucleolar protein that binds RNA and regulates ribosome biogenesis in neurons."),
            ("vector", "# Gene therapy vector\n\nThe trial delivered the gene with a lentiviral vector into haematopoietic stem cells."),
            ("sepsis", TestBed.sepsisNote), ("asthma", TestBed.asthmaNote),
        ]
        for (name, text) in docs { _ = try bed.write("notes/\(name).md", text) }
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        let role = try await ask(bed, "What is the role of ZCCHC17?")
        #expect(!role.refused, "\(role.answer)")
        #expect(role.citations.first?.sourceID == "zcchc17")
        // A "no" question: the corpus says lentiviral, the question adenoviral; its focus is covered.
        let no = try await ask(bed, "Does the gene therapy trial use an adenoviral vector?")
        #expect(!no.refused, "\(no.answer)")
        #expect(no.citations.first?.sourceID == "vector")
        let unknown = try await ask(bed, "What is the role of ZCCHC99?")
        #expect(unknown.refused)
    }
}

@Suite("Question focus")
struct QuestionFocusTests {
    func focus(_ question: String, _ weights: [String: Double]) -> QuestionFocus {
        let terms = FTSQuery.terms(question).map { (stem: Stemmer.stem($0), weight: weights[$0] ?? 1.0) }
        return QuestionFocus(question: question, evidence: .init(terms: terms, total: terms.reduce(0) { $0 + $1.weight }))
    }

    @Test func answerKindWordsAreNotTheFocus() {
        let f = focus("What is the role of ZCCHC17?", ["zcchc17": 6, "role": 3])
        #expect(f.terms == ["zcchc17"])
        let plant = focus("Phlorotannin is extracted from what plant?", ["phlorotannin": 7, "extracted": 3, "plant": 4])
        #expect(!plant.terms.contains(Stemmer.stem("plant")))
        #expect(plant.terms.first == Stemmer.stem("phlorotannin"))
    }

    @Test func theRarestWordBringsItsNeighboursAndNamesComeWhole() {
        let f = focus("What is the St Elsewhere gentamicin dosing protocol?", ["st": 6, "elsewhere": 6, "gentamicin": 4, "dosing": 3])
        // "St" is two letters: like "IV" or "IM", too short to be a focus word on its own.
        for w in ["elsewhere", "gentamicin"] { #expect(f.terms.contains(Stemmer.stem(w)), "\(w)") }
        let p = focus("Which drug is used for prophylaxis after close contact with pertussis?", ["pertussis": 7, "prophylaxis": 4])
        #expect(p.terms.contains(Stemmer.stem("pertussis")))
    }

    @Test func thePopulationIsPartOfTheFocus() {
        let f = focus("What is the dose of oral ondansetron for gastroenteritis in children?", ["ondansetron": 7, "children": 1])
        #expect(f.terms.contains(Stemmer.stem("children")))
        #expect(QuestionFocus.holds(Stemmer.stem("children"), in: [Stemmer.stem("paediatric")]))
        #expect(!QuestionFocus.holds(Stemmer.stem("children"), in: [Stemmer.stem("adults")]))
    }

    @Test func synonymsAndSpellingsHoldTheFocus() {
        // One substance, two names; one word, two spellings: the source words it the other way.
        #expect(QuestionFocus.holds(Stemmer.stem("dextrose"), in: [Stemmer.stem("glucose")]))
        #expect(QuestionFocus.holds(Stemmer.stem("epinephrine"), in: [Stemmer.stem("adrenaline")]))
        #expect(QuestionFocus.holds(Stemmer.stem("hyperkalemia"), in: [Stemmer.stem("hyperkalaemia")]))
        #expect(QuestionFocus.holds(Stemmer.stem("oesophageal"), in: [Stemmer.stem("esophageal")]))
        // A related idea is not a synonym.
        #expect(!QuestionFocus.holds(Stemmer.stem("insulin"), in: [Stemmer.stem("glucose")]))
        #expect(!QuestionFocus.holds(Stemmer.stem("gentamicin"), in: [Stemmer.stem("glucose"), Stemmer.stem("calcium")]))
    }

    @Test func drugClassWordsAskForTheKindOfAnswer() {
        let f = focus("Which medicines should be stopped in acute kidney injury?", ["medicines": 5, "kidney": 3, "injury": 3])
        #expect(!f.terms.contains(Stemmer.stem("medicines")))
        #expect(f.terms.contains(Stemmer.stem("kidney")))
    }

    /// A word the corpus never uses is the focus however long the question: a drug the corpus
    /// does not hold, named among many words it does, is still what is asked about.
    @Test func unknownWordsAreFocusInShortAndLongQuestions() {
        func weighted(_ question: String, unknown: Set<String>) -> QuestionFocus {
            let words = FTSQuery.terms(question)
            let terms = words.map { (stem: Stemmer.stem($0), weight: unknown.contains($0) ? 6.0 : 2.0) }
            let frequencies = words.map { unknown.contains($0) ? 0 : 3 }
            return QuestionFocus(
                question: question,
                evidence: .init(terms: terms, total: terms.reduce(0) { $0 + $1.weight }, frequencies: frequencies, chunks: 100))
        }
        let short = weighted("What is the St Elsewhere gentamicin dosing protocol?", unknown: ["gentamicin"])
        #expect(short.core.contains(Stemmer.stem("gentamicin")))
        let long = weighted(
            "What nebulised tiotropium dose is given to an adult with acute severe asthma and low peak flow?", unknown: ["tiotropium"])
        #expect(long.core.contains(Stemmer.stem("tiotropium")))
    }

    @Test func variantsMatchAndPhrasesAreAdjacent() {
        #expect(QuestionFocus.holds(Stemmer.stem("nebulised"), in: [Stemmer.stem("nebuliser")]))
        #expect(!QuestionFocus.holds(Stemmer.stem("pertussis"), in: [Stemmer.stem("meningitis")]))
        let f = focus("How is thyroid storm treated?", ["thyroid": 5, "storm": 5])
        #expect(f.pairs == [[Stemmer.stem("thyroid"), Stemmer.stem("storm")]])
        #expect(QuestionFocus.adjacent(f.pairs[0], in: ["thyroid", "storm", "is"]))
        #expect(!QuestionFocus.adjacent(f.pairs[0], in: ["thyroid", "function", "storm"]))
    }
}
