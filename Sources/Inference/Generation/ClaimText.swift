import Foundation

/// A sentence or passage read the way claim checking compares them: content terms,
/// numbers, quantities with canonical units, and clauses with their negation and direction
/// cues. Pure and lexical: no model, no I/O.
struct ClaimText: Sendable {
    enum Kind: Sendable, Equatable { case word, number, boundary, dash, slash }

    struct Token: Sendable {
        var kind: Kind
        /// Lowercased word, or the number as written without thousands separators.
        var text: String
    }

    /// A number with its unit, the unit made canonical so that `0.5 mg` and `500 micrograms`
    /// are the same quantity.
    struct Quantity: Sendable, Hashable {
        /// `"500 mcg"`, `"30 ml"`, `"3 hour"`.
        var key: String
        /// As written: `"1000 micrograms"`.
        var display: String
        var token: Int
        /// The token after its unit (`token + 1` for the first number of a range).
        var end: Int
    }

    /// A run of words between commas, semicolons, colons, brackets, or words such as "but".
    struct Clause: Sendable {
        var terms: Set<String>
        /// Cue classes present (see `cueClasses`).
        var cues: Set<String>
    }

    let tokens: [Token]
    /// Content-term stems (stop words, meta words and numbers left out).
    let terms: Set<String>
    /// Token index → content-term stem at that position.
    let termAt: [Int: String]
    /// Every number in the text, canonical (`"0.5"`, `"12"`), with or without a unit.
    let numbers: Set<String>
    /// Numbers that carry no unit, with their token; `open` when nothing follows in the clause
    /// ("a dose of 500."), so the number may match one that has a unit in the source.
    let bareNumbers: [(value: String, token: Int, open: Bool)]
    let quantities: [Quantity]
    let clauses: [Clause]
    /// Token index → clause index.
    let clauseOf: [Int]

    init(_ text: String) {
        let tokens = Self.tokenize(text)
        self.tokens = tokens
        var terms = Set<String>()
        var termAt: [Int: String] = [:]
        for (i, t) in tokens.enumerated() where t.kind == .word {
            if let stem = Self.contentStem(t.text) {
                terms.insert(stem)
                termAt[i] = stem
            }
        }
        self.terms = terms
        self.termAt = termAt

        var numbers = Set<String>()
        var bare: [(String, Int, Bool)] = []
        var quantities: [Quantity] = []
        for (j, t) in tokens.enumerated() where t.kind == .number {
            let value = Self.canonicalNumber(t.text)
            numbers.insert(value)
            if let (unit, factor, word, end) = Self.unit(tokens, after: j) {
                quantities.append(
                    Quantity(key: Self.canonicalNumber(t.text, times: factor) + " " + unit, display: t.text + " " + word, token: j, end: end))
            } else if Self.connects(tokens, j + 1), j + 2 < tokens.count, tokens[j + 2].kind == .number,
                let (unit, factor, word, _) = Self.unit(tokens, after: j + 2)
            {
                // "15 to 30 minutes", "40-50 mg": the first number shares the unit.
                quantities.append(
                    Quantity(key: Self.canonicalNumber(t.text, times: factor) + " " + unit, display: t.text + " " + word, token: j, end: j + 1))
            } else {
                bare.append((value, j, j + 1 >= tokens.count || tokens[j + 1].kind == .boundary))
            }
        }
        self.numbers = numbers
        self.bareNumbers = bare
        self.quantities = quantities

        var clauses: [Clause] = [Clause(terms: [], cues: [])]
        var clauseOf: [Int] = []
        for (i, t) in tokens.enumerated() {
            let splits = t.kind == .boundary || (t.kind == .word && Self.clauseWords.contains(t.text))
            if splits, !(clauses[clauses.count - 1].terms.isEmpty && clauses[clauses.count - 1].cues.isEmpty) {
                clauses.append(Clause(terms: [], cues: []))
            }
            clauseOf.append(clauses.count - 1)
            if let stem = termAt[i] { clauses[clauses.count - 1].terms.insert(stem) }
            if t.kind == .word {
                var cues = Self.cueClasses(t.text)
                if t.text == "over", i + 1 < tokens.count, tokens[i + 1].kind == .number,
                    let (u, _, _, _) = Self.unit(tokens, after: i + 1), ["minute", "hour", "day", "week"].contains(u)
                {
                    cues.remove("direction:up") // "over 20 minutes": a duration
                }
                clauses[clauses.count - 1].cues.formUnion(cues)
            }
        }
        self.clauses = clauses
        self.clauseOf = clauseOf
    }

    /// The first content term when it is the subject of a copula ("Dopamine is …",
    /// "Antihistamines are …"), at most two words into the sentence; nil otherwise.
    var subjectTerm: String? {
        guard let (k, term) = termAt.min(by: { $0.key < $1.key }), k <= 2, k + 1 < tokens.count else { return nil }
        return ["is", "are", "was", "were", "remains", "remain"].contains(tokens[k + 1].text) ? term : nil
    }

    /// Quantity keys.
    var quantityKeys: Set<String> { Set(quantities.map(\.key)) }

    /// Whether the text states a number that is not part of a name (a dose, rate, threshold,
    /// duration, count).
    var statesQuantity: Bool { !quantities.isEmpty || !bareNumbers.isEmpty }

    // MARK: Tokens

    static func tokenize(_ text: String) -> [Token] {
        let s = Array(text.unicodeScalars)
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < s.count && ("0"..."9").contains(s[i]) }
        func isLetter(_ i: Int) -> Bool { i >= 0 && i < s.count && s[i].properties.isAlphabetic }
        var out: [Token] = []
        var i = 0
        while i < s.count {
            let c = s[i]
            if isDigit(i) {
                var number = ""
                while i < s.count,
                    isDigit(i) || (s[i] == "." && isDigit(i + 1))
                        || (s[i] == "," && isDigit(i + 1) && isDigit(i + 2) && isDigit(i + 3) && !isDigit(i + 4))
                {
                    if s[i] != "," { number.unicodeScalars.append(s[i]) }
                    i += 1
                }
                // A number joined to a name ("CURB-65", "NEWS2") is part of the name.
                let start = i - number.unicodeScalars.count
                let named = isLetter(start - 1) || (start >= 2 && (s[start - 1] == "-") && isLetter(start - 2))
                out.append(Token(kind: named ? .word : .number, text: number))
            } else if isLetter(i) {
                var word = ""
                while i < s.count, isLetter(i) || isDigit(i) || ((s[i] == "'" || s[i] == "\u{2019}") && isLetter(i + 1)) {
                    word.unicodeScalars.append(s[i] == "\u{2019}" ? "'" : s[i])
                    i += 1
                }
                let lower = word.lowercased()
                let hyphenated = i < s.count && (s[i] == "-" || s[i] == "\u{2013}") && isLetter(i + 1) // "three-bag"
                if let value = numberWords[lower], !hyphenated {
                    out.append(Token(kind: .number, text: value)) // "two doses" states a count
                } else {
                    out.append(Token(kind: .word, text: lower))
                }
            } else {
                switch c {
                case "-", "\u{2013}": out.append(Token(kind: .dash, text: "-"))
                case "/": out.append(Token(kind: .slash, text: "/"))
                case "%": out.append(Token(kind: .word, text: "%"))
                case "<", "\u{2264}": out.append(Token(kind: .word, text: "below"))
                case ">", "\u{2265}": out.append(Token(kind: .word, text: "above"))
                case ",", ";", ":", "(", ")", "[", "]", ".", "!", "?", "\u{2014}", "\n":
                    out.append(Token(kind: .boundary, text: String(c)))
                default: break
                }
                i += 1
            }
        }
        return out
    }

    /// Counts written as words.
    static let numberWords: [String: String] = [
        "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
        "twelve": "12", "twenty": "20", "thirty": "30", "single": "1", "twice": "2", "half": "0.5",
    ]

    /// Words that open a new clause.
    static let clauseWords: Set<String> = ["but", "whereas", "while", "although", "however", "unless", "except", "otherwise"]

    /// Words that carry no claim of their own: question and answer framing.
    static let metaWords: Set<String> = [
        "answer", "answers", "source", "sources", "question", "according", "based", "provided", "given", "text", "passage",
        "passages", "information", "however", "therefore", "thus", "also", "yes", "following", "summary", "key", "point",
        "points", "step", "steps", "here", "listed", "list", "note", "notes", "response", "detail", "details", "overview",
        "section", "sections", "title", "sure", "okay", "certainly", "hope", "helps", "below", "above", "mentioned", "stated",
        "says", "say", "states", "cited", "reference", "references", "context", "document", "documents",
    ]

    /// Verbs and adverbs that paraphrases swap freely; they neither back nor sink a claim.
    static let paraphraseWords: Set<String> = [
        "give", "gives", "giving", "administer", "administered", "administering", "receive", "receives", "received",
        "require", "requires", "required", "need", "needs", "needed", "recommend", "recommends", "recommended",
        "advise", "advised", "consider", "considered", "typically", "usually", "generally", "important", "must",
        "immediately", "take", "taken", "takes", "one", "include", "includes", "including", "get", "gets", "can", "should",
        "then", "well", "like", "be", "being", "been", "every", "each", "per", "least", "around", "approximately", "about",
        "ideally", "preferably", "usually", "often", "promptly", "quickly", "first", "second", "third", "means", "defined",
        "indicates", "indicate", "carries", "carry", "used", "works",
    ]

    /// Words that name the same thing, folded before stemming.
    static let synonyms: [String: String] = [
        "intramuscular": "im", "intramuscularly": "im", "intravenous": "iv", "intravenously": "iv", "subcutaneous": "sc",
        "subcutaneously": "sc", "orally": "oral", "children": "child", "paediatric": "child", "pediatric": "child",
        "kids": "child", "infants": "infant", "adrenalin": "adrenaline", "epinephrine": "adrenaline",
        "norepinephrine": "noradrenaline", "mcg": "microgram", "µg": "microgram", "μg": "microgram", "ug": "microgram",
        "hrs": "hour", "hr": "hour", "mins": "minute", "min": "minute", "litres": "litre", "liters": "litre", "liter": "litre",
        "nebulized": "nebulised", "nebulizer": "nebuliser", "haemorrhage": "bleeding", "hemorrhage": "bleeding",
    ]

    /// The content stem of a word, or nil for stop, meta and paraphrase words.
    static func contentStem(_ word: String) -> String? {
        if FTSQuery.stopWords.contains(word) || metaWords.contains(word) || paraphraseWords.contains(word) || negationWords.contains(word) {
            return nil
        }
        if word == "%" { return nil }
        let w = synonyms[word] ?? word
        if w.count < 2, !(w.first?.isNumber ?? false) { return nil }
        return stem(w)
    }

    /// `Stemmer.stem`, then "-ion" and "-at" folded so that "observe"/"observation" and
    /// "inject"/"injection" meet.
    static func stem(_ word: String) -> String {
        var s = Stemmer.stem(word)
        if s.hasSuffix("ion"), s.count > 6 { s.removeLast(3) }
        if s.hasSuffix("at"), s.count > 5 { s.removeLast(2) }
        return s
    }

    // MARK: Quantities

    static func canonicalNumber(_ text: String, times factor: Double = 1) -> String {
        guard let v = Double(text) else { return text }
        let x = v * factor
        if abs(x - x.rounded()) < 1e-9, abs(x) < 1e15 { return String(Int(x.rounded())) }
        return String(format: "%g", x)
    }

    /// Unit words and their canonical unit and factor.
    static let units: [String: (String, Double)] = {
        var u: [String: (String, Double)] = [:]
        for w in ["mcg", "µg", "μg", "ug", "microgram", "micrograms"] { u[w] = ("mcg", 1) }
        for w in ["mg", "milligram", "milligrams"] { u[w] = ("mcg", 1_000) }
        for w in ["g", "gram", "grams"] { u[w] = ("mcg", 1_000_000) }
        for w in ["ml", "millilitre", "millilitres", "milliliter", "milliliters"] { u[w] = ("ml", 1) }
        for w in ["l", "litre", "litres", "liter", "liters"] { u[w] = ("ml", 1_000) }
        for w in ["h", "hr", "hrs", "hour", "hours"] { u[w] = ("hour", 1) }
        for w in ["min", "mins", "minute", "minutes"] { u[w] = ("minute", 1) }
        for w in ["day", "days"] { u[w] = ("day", 1) }
        for w in ["week", "weeks"] { u[w] = ("week", 1) }
        for w in ["month", "months"] { u[w] = ("month", 1) }
        for w in ["year", "years", "yr", "yrs"] { u[w] = ("year", 1) }
        for w in ["%", "percent", "per cent"] { u[w] = ("%", 1) }
        for w in ["unit", "units", "iu"] { u[w] = ("unit", 1) }
        for w in ["mmol", "mmhg", "kpa", "kg", "µmol", "μmol", "umol", "joules", "j"] { u[w] = (w, 1) }
        for w in ["breath", "breaths"] { u[w] = ("breath", 1) }
        for w in ["beat", "beats", "bpm"] { u[w] = ("beat", 1) }
        return u
    }()

    /// The unit after token `j`: canonical name, factor, the word as written, and the token after it.
    static func unit(_ tokens: [Token], after j: Int) -> (String, Double, String, Int)? {
        guard j + 1 < tokens.count else { return nil }
        var unit: String
        var factor = 1.0
        var written: String
        var k: Int
        if tokens[j + 1].kind == .word, let (u, f) = units[tokens[j + 1].text] {
            (unit, factor, written, k) = (u, f, tokens[j + 1].text, j + 2)
        } else if tokens[j + 1].kind == .word, tokens[j + 1].text == "per", j + 2 < tokens.count, tokens[j + 2].text == "cent" {
            return ("%", 1, "per cent", j + 3)
        } else if tokens[j + 1].kind == .slash {
            (unit, written, k) = ("", "", j + 1) // "25/min"
        } else {
            return nil
        }
        // Rates and concentrations: "mL/kg", "µg/kg/min", "mg per day", "units/kg/h".
        while k + 1 < tokens.count, tokens[k + 1].kind == .word,
            tokens[k].kind == .slash
                || (tokens[k].kind == .word && ["per", "a", "an", "each"].contains(tokens[k].text)
                    && (units[tokens[k + 1].text] != nil || denominators.contains(tokens[k + 1].text)))
        {
            let w = tokens[k + 1].text
            unit += "/" + (units[w]?.0 ?? Stemmer.stem(w))
            written += (tokens[k].kind == .slash ? "/" : " per ") + w
            k += 2
        }
        return unit.isEmpty ? nil : (unit, factor, written, k)
    }

    /// Words that can follow "per" in a rate.
    static let denominators: Set<String> = ["kg", "day", "dose", "spray", "litre", "liter", "hour", "minute", "week", "breath"]

    static func connects(_ tokens: [Token], _ j: Int) -> Bool {
        guard j < tokens.count else { return false }
        if tokens[j].kind == .dash { return true }
        return tokens[j].kind == .word && ["to", "or", "and"].contains(tokens[j].text)
    }

    // MARK: Cues

    /// Exclusive classes: a clause saying one where its source says another is a changed claim.
    static let cueGroups: [String: [String: Set<String>]] = [
        "direction": [
            "up": [
                "above", "over", "more", "greater", "higher", "high", "increase", "increased", "increases", "increasing", "raise",
                "raised", "raises", "rise", "rises", "rising", "exceed", "exceeds", "exceeding", "elevated", "longer", "maximum",
            ],
            "down": [
                "below", "under", "less", "fewer", "lower", "low", "decrease", "decreased", "decreases", "decreasing", "reduce",
                "reduced", "reduces", "reducing", "reduction", "fall", "falls", "falling", "drop", "drops", "shorter", "minimum",
            ],
        ],
        "timing": [
            "after": ["after", "later", "beyond", "delayed"],
            "before": ["before", "within", "earlier", "prior", "sooner"],
        ],
        "age": [
            "adult": ["adult", "adults"],
            "child": ["child", "children", "infant", "infants", "paediatric", "pediatric", "neonate", "neonates", "baby", "babies"],
        ],
        "route": [
            "im": ["im", "intramuscular", "intramuscularly"],
            "iv": ["iv", "intravenous", "intravenously", "infusion"],
            "oral": ["oral", "orally", "po", "tablet", "tablets"],
            "sc": ["sc", "subcutaneous", "subcutaneously"],
            "inhaled": ["nebulised", "nebulized", "nebuliser", "nebulizer", "inhaled", "inhaler"],
        ],
        "order": [
            "1": ["first"], "2": ["second"], "3": ["third"],
        ],
        "severity": [
            "mild": ["mild"], "moderate": ["moderate"], "severe": ["severe"],
        ],
        "continuation": [
            "stop": ["stop", "stopped", "withhold", "withheld", "discontinue", "discontinued", "suspend", "suspended"],
            "continue": ["continue", "continued", "maintain", "maintained"],
        ],
    ]

    static let negationWords: Set<String> = [
        "not", "no", "never", "without", "none", "nor", "neither", "cannot", "avoid", "avoided", "avoiding", "contraindicated",
    ]

    static let cueIndex: [String: Set<String>] = {
        var out: [String: Set<String>] = [:]
        for (group, classes) in cueGroups {
            for (name, words) in classes { for w in words { out[w, default: []].insert(group + ":" + name) } }
        }
        return out
    }()

    static func cueClasses(_ word: String) -> Set<String> {
        var out = cueIndex[word] ?? []
        if negationWords.contains(word) || word.hasSuffix("n't") { out.insert("neg") }
        return out
    }
}
