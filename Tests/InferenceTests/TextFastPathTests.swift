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

    @Test func stemsMatchTheReference() {
        var words = Set(Self.samples.flatMap { FTSQuery.referenceWords($0) })
        // Every suffix rule, on words of every length around its limits.
        for suffix in Stemmer.suffixes {
            let text = suffix
            for stemLength in 0...5 { words.insert(String(repeating: "b", count: stemLength) + text) }
            words.insert("s" + text)
            words.insert("ll" + text)
            words.insert("tt" + text)
            words.insert("Xe" + text)
        }
        for w in words.sorted() {
            #expect(Stemmer.stem(w) == Stemmer.reference(w), "\(w)")
            if w.utf8.count == w.count { #expect(Stemmer.singleByte(w) == Stemmer.reference(w), "\(w)") }
            #expect(Stemmer.stem(w.uppercased()) == Stemmer.reference(w.uppercased()), "\(w)")
        }
    }
}
