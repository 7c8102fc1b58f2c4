import Foundation

/// What a question asks about: its focus (the drug, condition, population, named protocol,
/// team, score or test), as terms a passage must hold before it may answer.
///
/// Sharing rare words with a question is not the same as being about it: a note that names
/// "St Elsewhere" shares the rarest words of "What is the St Elsewhere gentamicin dosing
/// protocol?" but says nothing of gentamicin, and a meningitis note shares "prophylaxis" and
/// "close contact" with a pertussis question. So a passage answers only when it covers the
/// whole focus. The focus is found without named-entity recognition, from the corpus and the
/// question's shape:
/// - words that say what kind of answer is wanted ("dose", "treatment", "first-line", the X of
///   "what is the X of Y") are not the focus;
/// - the rarest remaining word is, with the run of rare words it stands in ("St Elsewhere
///   gentamicin"); rare means an inverse document frequency at least `shareOfRarest` of the
///   rarest word's, a ratio that means the same on 100 passages and on 100,000;
/// - capitalised names inside the question ("St Elsewhere", "ZCCHC17") and the population
///   ("children", "adults", "pregnancy") always are: a dose for adults does not answer a
///   question about children;
/// - two adjacent focus words are a phrase ("thyroid storm") when a passage holds them as
///   one; the gate then asks for the phrase, not for the words apart (see `RelevanceGate`);
/// - an attribute named before "of" ("the normal body temperature of a cow") must be stated
///   too, unless it is an answer-kind word ("the role of");
/// - words the corpus never uses are focus ("horse", a drug it does not hold), in a question
///   of any length.
/// A focus word is held under another spelling or name too (`ClinicalSynonyms`).
///
/// Pure: built from the question and its weighted terms (`EvidenceScorer.Weighted`).
public struct QuestionFocus: Sendable, Equatable {
    /// Stems a covering passage must hold (rarest first).
    public var terms: [String]
    /// Adjacent pairs of focus stems, in question order: phrases when the corpus holds them so.
    public var pairs: [[String]]
    /// Stems of the question's other content words (neither focus nor answer-kind words).
    public var context: [String]
    /// Pairs that are phrases whatever the passages hold: a name and a score word ("Glasgow score").
    public var namedPhrases: [[String]] = []
    /// The focus's core, which a quoted passage must hold itself: the rarest word and its run
    /// ("St Elsewhere gentamicin"), names, the population, words the corpus never holds, and
    /// their phrases ("a b"). Other focus words may sit in another of the source's passages.
    public var core: Set<String> = []
    /// Whether the question asks yes or no ("Does X use Y?", "Double balloon enteroscopy: is it
    /// safe?"): its answer may be "no" (the source says lentiviral, the question adenoviral), so
    /// a source is not asked to hold all its words (see `RelevanceGate`).
    public var yesNo = false
    /// Focus stems that are names in the question (capitalised after its first word, or with
    /// inner capitals or digits: "ZCCHC17", "St Elsewhere").
    public var names: Set<String> = []

    static let auxiliaries: Set<String> = [
        "is", "are", "does", "do", "did", "can", "could", "should", "would", "will", "was", "were", "has", "have",
        "had", "may", "might", "must", "shall",
    ]

    static let whWords: Set<String> = ["what", "which", "how", "who", "whom", "whose", "when", "where", "why", "whats"]

    /// Whether some clause of the question begins with an auxiliary verb, or it is a question
    /// without a wh-word ("Very high CA 19-9 levels: a contraindication to surgery?").
    static func asksYesNo(_ question: String) -> Bool {
        let auxiliary = question.split { ".:;?!\n".contains($0) }.contains { clause in
            FTSQuery.words(String(clause)).first.map(auxiliaries.contains) ?? false
        }
        let asked = question.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("?")
        return auxiliary || (asked && !FTSQuery.words(question).contains(where: whWords.contains))
    }

    /// What of the focus a source lacks: the focus stems it does not hold (`present`, order of
    /// `terms`) and, as "a b", the phrases (`phrases`: which pairs are phrases) it holds only
    /// apart (`adjacent`: which pairs it holds as phrases).
    public func missing(present: [Bool], adjacent: [Bool], phrases: [Bool]) -> [String] {
        zip(terms, present).filter { !$0.1 }.map(\.0)
            + zip(pairs, zip(phrases, adjacent)).filter { $1.0 && !$1.1 }.map { $0.0.joined(separator: " ") }
    }

    /// Whether a source lacking `missing` (see `missing(present:adjacent:phrases:)`) holds the core.
    public func coversCore(missing: [String]) -> Bool {
        !missing.contains(where: core.contains)
    }

    /// Share of the rarest content word's IDF a word needs to be part of the focus.
    public static let shareOfRarest = 0.5

    /// Words that ask for a kind of answer rather than name what it is about.
    static let answerKindWords: Set<String> = Set(
        [
            "dose", "doses", "dosing", "dosage", "treatment", "treatments", "treat", "treated", "treating", "therapy",
            "management", "manage", "managed", "managing", "first", "line", "recommended", "recommend", "recommendation",
            "initial", "role", "function", "functions", "assess", "assessed", "assessment", "given", "give", "best",
            "option", "options", "approach", "protocol", "guideline", "guidelines", "regimen", "definition", "define",
            "defined", "mean", "means", "meaning", "number", "type", "types", "kind", "main", "usual", "standard",
            "preferred", "choice", "indicated", "started", "start", "happen", "happens", "done", "need", "needed",
            "cause", "causes", "caused", "symptom", "symptoms", "sign", "signs", "prevent", "prevented", "outlook",
            "information", "diagnose", "diagnosed", "diagnosis", "related", "relate", "affected", "affect", "people",
            "person", "persons", "work", "works", "effective", "safe", "useful", "feasible", "relevant", "necessary",
            "possible", "associated", "association", "increase", "increased", "decrease", "decreased", "improve",
            "improved", "reduce", "reduced", "predict", "predicts", "lower", "lowered", "higher", "fast", "quickly", "long",
            "often", "suggest", "suggests", "change", "changes", "criteria", "criterion", "feature", "features", "component",
            "components", "item", "items", "list", "get", "gets", "allow", "allows", "count", "counts", "old", "year", "years",
            "level", "levels", "threshold", "value", "values", "make", "makes", "medicine", "medicines", "medication",
            "medications", "drug", "drugs", "interpretation", "interpret", "interpreted", "research", "researched",
            "trial", "trials", "clinical", "study", "studies", "studied",
        ].map(Stemmer.stem))

    /// Function words FTS keeps but that never name a topic.
    static let functionWords: Set<String> = Set(
        [
            "among", "amongst", "within", "without", "versus", "vs", "per", "via", "still", "whether", "yet", "ever",
            "already", "always", "even", "across", "toward", "towards", "upon", "despite", "like", "unlike", "else",
            "every", "either", "neither", "rather", "really", "actually", "instead", "despite",
        ].map(Stemmer.stem))

    /// Words that make a capitalised name before them a named score ("Glasgow score" is not
    /// the Glasgow Coma Scale): the pair must appear as a phrase.
    static let scoreWords: Set<String> = Set(
        ["score", "scale", "criteria", "rule", "rules", "classification", "index", "grade", "grading", "staging"].map(Stemmer.stem))

    /// Population words and the words a passage may use for them.
    static let populations: [String: Set<String>] = {
        let groups: [[String]] = [
            ["child", "children", "childhood", "paediatric", "pediatric", "infant", "infants"],
            ["adult", "adults"], ["pregnancy", "pregnant"], ["neonate", "neonates", "neonatal", "newborn"],
            ["elderly", "older"],
        ]
        var out: [String: Set<String>] = [:]
        for g in groups {
            let stems = Set(g.map(Stemmer.stem))
            for s in stems { out[s] = stems }
        }
        return out
    }()

    /// The focus of `question` given its weighted terms.
    public init(question: String, evidence q: EvidenceScorer.Weighted) {
        let lower = FTSQuery.words(question)
        let stems = lower.map(Stemmer.stem)
        var kind = Self.answerKindWords
        var attributes: [String] = []
        for (i, w) in lower.enumerated() where w == "what" || w == "which" {
            // "What is the X of Y?": X is the kind of answer ("role", "population"), Y the focus.
            var j = i + 1
            if j < lower.count, lower[j] == "is" || lower[j] == "are" {
                j += 1
                if j < lower.count, lower[j] == "the" || lower[j] == "a" || lower[j] == "an" { j += 1 }
                if j + 1 < lower.count, lower[j + 1] == "of" || lower[j + 1] == "for" {
                    kind.insert(stems[j])
                } else if let of = (j..<min(j + 4, lower.count)).first(where: { lower[$0] == "of" }), of > j + 1,
                    !Self.answerKindWords.contains(stems[of - 1])
                {
                    // "What is the normal body temperature of a cow?": a named attribute
                    // ("temperature") the source must state, unless it is an answer-kind word.
                    attributes.append(stems[of - 1])
                    kind.insert(stems[of - 1])
                }
            }
        }
        let candidates = q.terms.filter { t in
            !kind.contains(t.stem) && !Self.functionWords.contains(t.stem) && t.stem.count >= 3 && !t.stem.allSatisfy(\.isNumber)
        }
        // Words the corpus never uses name what no source covers ("horse", a drug not in it),
        // however long the question: "What nebulised tiotropium dose is given to an adult with
        // acute severe asthma and low peak flow?" must not be answered from the asthma note.
        let unknownWords = Set(zip(q.terms, q.frequencies).filter { $0.1 == 0 }.map(\.0.stem))
        let weight = Dictionary(candidates.map { ($0.stem, $0.weight) }, uniquingKeysWith: max)
        let rarestWeight = candidates.map(\.weight).max() ?? 0
        let rare = { (s: String) in (weight[s] ?? 0) >= Self.shareOfRarest * rarestWeight && rarestWeight > 0 }
        var chosen: [String] = []
        let spans = Self.wordSpans(question)
        func add(_ s: String) { if weight[s] != nil, !chosen.contains(s) { chosen.append(s) } }
        // The rarest word, and the content words next to it ("St Elsewhere gentamicin").
        if let rarest = candidates.max(by: { $0.weight < $1.weight })?.stem {
            add(rarest)
            // The run of rare words it stands in, nothing but spaces between ("St Elsewhere
            // gentamicin"; not "enteroscopy: is it efficacious").
            for (i, w) in spans.enumerated() where Stemmer.stem(w.word) == rarest {
                var j = i
                while j > 0, spans[j - 1].joined, rare(Stemmer.stem(spans[j - 1].word)) {
                    j -= 1
                    add(Stemmer.stem(spans[j].word))
                }
                j = i
                while j + 1 < spans.count, spans[j].joined, rare(Stemmer.stem(spans[j + 1].word)) {
                    j += 1
                    add(Stemmer.stem(spans[j].word))
                }
            }
        }
        var core = chosen
        let named = Set(Self.names(question).map(Stemmer.stem))
        for s in stems where named.contains(s) { add(s) } // in the question's order (a set's order varies by run)
        // A name before a score word is a named score: both words, as a phrase.
        var namedScores: [[String]] = []
        for i in stems.indices.dropLast() where named.contains(stems[i]) && Self.scoreWords.contains(stems[i + 1]) {
            if weight[stems[i]] != nil, !chosen.contains(stems[i + 1]) { chosen.append(stems[i + 1]) }
            namedScores.append([stems[i], stems[i + 1]])
        }
        for s in candidates.map(\.stem) where Self.populations[s] != nil { add(s) }
        core += chosen.filter { named.contains($0) || Self.populations[$0] != nil || unknownWords.contains($0) }
        core += namedScores.joined()
        for a in attributes where !chosen.contains(a) {
            chosen.append(a)
            core.append(a)
        }
        terms = chosen
        names = named.intersection(chosen)
        var pairs: [[String]] = []
        // Adjacent in the question with nothing but spaces between: "asthma attack", not "attack, PEF".
        let joined = { (i: Int) in spans.count != stems.count || spans[i].joined }
        for i in stems.indices.dropLast()
        where chosen.contains(stems[i]) && chosen.contains(stems[i + 1]) && stems[i] != stems[i + 1] && joined(i) {
            pairs.append([stems[i], stems[i + 1]])
        }
        self.pairs = pairs
        self.namedPhrases = namedScores.filter { pairs.contains($0) }
        self.core = Set(
            core + pairs.filter { core.contains($0[0]) && core.contains($0[1]) || namedScores.contains($0) }.map { $0.joined(separator: " ") })
        context = candidates.map(\.stem).filter { !chosen.contains($0) }
        yesNo = Self.asksYesNo(question)
    }

    /// The question's words (lowercased), each with whether only a space separates it from the next.
    static func wordSpans(_ question: String) -> [(word: String, joined: Bool)] {
        var words: [String] = []
        var gaps: [String] = [] // gaps[i]: the text between words[i] and words[i + 1]
        var word = ""
        var gap = ""
        for ch in question {
            if ch.isLetter || ch.isNumber {
                if word.isEmpty, !words.isEmpty { gaps.append(gap) }
                gap = ""
                word.append(ch)
            } else {
                if !word.isEmpty { words.append(word.lowercased()) }
                word = ""
                gap.append(ch)
            }
        }
        if !word.isEmpty { words.append(word.lowercased()) }
        return words.indices.map { i in (words[i], i < gaps.count && !gaps[i].isEmpty && gaps[i].allSatisfy { $0 == " " }) }
    }

    /// Capitalised words after the question's first word, and words with inner capitals or
    /// digits ("ZCCHC17", "CURB-65"): names of places, teams, genes and scores.
    static func names(_ question: String) -> [String] {
        var out: [String] = []
        var word = ""
        var first = true
        func flush() {
            defer { word = "" }
            guard !word.isEmpty else { return }
            let letters = word.unicodeScalars.filter { $0.properties.isAlphabetic }
            let capital = word.first?.isUppercase == true
            let inner = word.dropFirst().contains { $0.isUppercase || $0.isNumber } && !letters.isEmpty
            if (capital && !first) || inner { out.append(word.lowercased()) }
            first = false
        }
        for ch in question {
            if ch.isLetter || ch.isNumber { word.append(ch) } else { flush() }
        }
        flush()
        // In a title-cased question capitals name nothing; inner capitals and digits still do.
        let words = question.split { !$0.isLetter && !$0.isNumber }
        let capitals = words.filter { $0.first?.isUppercase == true }.count
        if words.count >= 4, 2 * capitals > words.count {
            out = out.filter { w in words.contains { $0.lowercased() == w && $0.dropFirst().contains { $0.isUppercase || $0.isNumber } } }
        }
        return out.filter { !FTSQuery.stopWords.contains($0) }
    }

    /// Whether a passage's stems hold a focus stem: the stem itself, a population synonym,
    /// or the same word with another ending ("nebulised" and "nebuliser": one stem of five
    /// letters or more begins the other).
    /// `folded`: `stems` through `ClinicalSynonyms.spelling`, when the caller has it.
    public static func holds(_ stem: String, in stems: Set<String>, folded: Set<String>? = nil) -> Bool {
        if stems.contains(stem) { return true }
        if let group = populations[stem], !group.isDisjoint(with: stems) { return true }
        if ClinicalSynonyms.holds(stem, in: stems, folded: folded) { return true }
        guard stem.count >= 5 else { return false }
        return stems.contains { s in s.count >= 5 && (s.hasPrefix(stem) || stem.hasPrefix(s)) }
    }

    /// Whether a stem sequence holds the pair as adjacent words.
    public static func adjacent(_ pair: [String], in sequence: [String]) -> Bool {
        guard pair.count == 2, sequence.count >= 2 else { return false }
        for i in sequence.indices.dropLast() where sequence[i] == pair[0] && sequence[i + 1] == pair[1] { return true }
        return false
    }
}
