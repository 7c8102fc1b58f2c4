import Testing

@testable import Inference

/// The byte-level fast paths of `FTSQuery.words` and `Stemmer.stem` must give exactly what
/// their character-level references give: a verdict or an answer must not change with speed.
@Suite("Word and stem fast paths")
struct TextFastPathTests {
    static let samples = [
        "What is the role of ZCCHC17?", "CURB-65 criteria", "St Elsewhere gentamicin dosing protocol",
        "Give 30 mL/kg of crystalloid within 3 hours; reassess. The FRIII rate is 0.1 units/kg/h.",
        "Nebulised salbutamol 5 mg; nebuliser\tback-to-back\r\nadults' doses (IM) [1].", "", "   ", "a", "ab1 C2d 3EF",
        "stopped stopping bleeding bleed fluids fluid ations relational organization hopefulness iveness ements",
        "classes focus crisis bus lis ies tied abilities sadness rated quickly edly ingly nesses stoppe sizzle fall",
        "ss sss tss uses is this was gas gases alveoli agree agreed feeds seeded bees tree trees coffee employee",
        "naïve café 5 µg co‑amoxiclav — 10–20 mg ½ Ⅻ résumé", "Ångström ORGANIZATION Stopping Bleeding",
    ]

    @Test func wordsMatchTheReference() {
        for s in Self.samples {
            #expect(FTSQuery.words(s) == FTSQuery.referenceWords(s), "\(s)")
        }
    }

    /// One stemmer: what the gate and the checker stem a word to is what the FTS5 index
    /// (porter unicode61) stems it to, so retrieval and relevance meet words alike.
    @Test func stemsAreTheIndexStems() {
        for w in Set(Self.samples.flatMap { FTSQuery.referenceWords($0) }).sorted() {
            let indexed = ChunkTokenizer.tokens(w)
            guard indexed.count == 1 else { continue } // a word the index cuts otherwise (a diacritic)
            #expect(Stemmer.stem(w) == indexed[0], "\(w)")
            // Upper case maps some letters elsewhere ("µ" to a Greek capital): ASCII only.
            if w.utf8.count == w.count { #expect(Stemmer.stem(w.uppercased()) == indexed[0], "\(w)") }
        }
        #expect(Stemmer.stem("inheritance") == Stemmer.stem("inherited"))
        #expect(Stemmer.stem("fluids") == Stemmer.stem("fluid"))
    }
}
