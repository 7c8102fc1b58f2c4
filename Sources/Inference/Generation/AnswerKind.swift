/// What kind of answer a question wants, read from its words alone (pure, no index).
///
/// An answer carries the fact only when it is the right kind of fact: "CURB-65 criteria"
/// wants the score's items, whole; "insulin rate in DKA" wants the sentence with the rate in
/// it, first. The kind decides how the extractive generator quotes, and its words
/// (`kindStems`) say what a question asks for rather than what it is about: "criteria" in
/// "CURB-65 criteria" names the shape of the answer, so a source that lists the items
/// without the word "criteria" still covers the question's focus.
///
/// Usage: `AnswerKind(question)`; `kind.isQuantity`; `AnswerKind.kindStems(in: question)`;
/// `AnswerKind.quantity(in: sentence)` to find the amounts a sentence states.
public enum AnswerKind: Sendable, Hashable {
    /// A number with a unit: how much, how fast, how long, or the level at which to act.
    case quantity(Quantity)
    /// Items of a list or a score: criteria, components, features, signs.
    case list
    /// A question that begins with is/does/can/should….
    case yesNo
    /// "What is X?", "Define X".
    case definition
    /// How a condition is managed: steps, treatment, approach.
    case management
    /// A bare topic ("Sepsis fluids?") or anything else.
    case other

    /// The kinds of amount a quantity question can ask for.
    public enum Quantity: Sendable, Hashable {
        case dose, rate, duration, threshold
    }

    /// Whether the answer is an amount (dose, rate, duration or threshold).
    public var isQuantity: Bool {
        if case .quantity = self { return true }
        return false
    }

    /// The kind of answer `question` wants. The first cue that applies wins: a question that
    /// opens with an auxiliary is yes/no; then amounts, lists, management and definitions.
    public init(_ question: String) {
        let words = FTSQuery.words(question)
        let text = " " + words.joined(separator: " ") + " "
        func has(_ phrases: [String]) -> Bool { phrases.contains { text.contains(" \($0) ") } }
        if let first = words.first, Self.auxiliaries.contains(first) {
            self = .yesNo
        } else if let q = Self.quantityKind(words: Set(words), has: has) {
            self = .quantity(q)
        } else if !Set(words).isDisjoint(with: Self.listWords) || has(["what are", "which are", "list"])
            || Self.namesScore(question, words: words)
        {
            self = .list
        } else if !Set(words).isDisjoint(with: Self.managementWords) || has(["how to", "how is", "how are", "how should"]) {
            self = .management
        } else if has(["what is", "what are", "define", "meaning of", "what does"]) || words.first == "define" {
            self = .definition
        } else {
            self = .other
        }
    }

    /// The stems of the question's words that name the kind of answer, not its subject
    /// ("criteria", "dose", "rate", "threshold"): a source need not repeat them to be about
    /// the question. Stemmed as `Stemmer.stem` stems evidence terms.
    public static func kindStems(in question: String) -> Set<String> {
        let all = listWords.union(doseWords).union(rateWords).union(durationWords).union(thresholdWords).union(managementWords)
        return Set(FTSQuery.words(question).filter { all.contains($0) }.map(Stemmer.stem))
    }

    // MARK: - Cues

    static let auxiliaries: Set<String> = [
        "is", "are", "does", "do", "did", "can", "could", "should", "would", "will", "was", "were", "has", "have", "may", "must",
    ]
    static let listWords: Set<String> = [
        "criteria", "criterion", "components", "component", "items", "item", "features", "feature", "signs", "symptoms",
        "elements", "factors", "parameters", "variables",
    ]
    static let doseWords: Set<String> = [
        "dose", "doses", "dosage", "dosing", "mg", "units", "bolus", "amount", "volume", "ml", "micrograms", "mcg",
    ]
    static let rateWords: Set<String> = ["rate", "rates", "speed"]
    static let durationWords: Set<String> = ["duration", "long", "often", "frequency", "interval", "days", "hours", "weeks"]
    static let thresholdWords: Set<String> = ["threshold", "thresholds", "cutoff", "cut", "target", "targets", "level", "levels", "limit"]
    static let managementWords: Set<String> = [
        "management", "manage", "managed", "managing", "treatment", "treat", "treated", "treating", "steps", "approach",
    ]

    static func quantityKind(words: Set<String>, has: ([String]) -> Bool) -> Quantity? {
        if !words.isDisjoint(with: rateWords) || has(["how fast", "per hour"]) { return .rate }
        if has(["how long", "how often", "for how many"]) || !words.isDisjoint(with: ["duration", "frequency", "interval"]) {
            return .duration
        }
        if !words.isDisjoint(with: thresholdWords.subtracting(["cut"])) || has(["cut off", "when to", "when should", "at what"]) {
            return .threshold
        }
        if !words.isDisjoint(with: doseWords) || has(["how much", "how many"]) { return .dose }
        return nil
    }

    /// A bare question (no question word) of a few words that names a score or rule
    /// ("CHA2DS2-VASc in atrial fibrillation", "Wells score"): it asks for the score's items.
    static func namesScore(_ question: String, words: [String]) -> Bool {
        let questionWords: Set<String> = ["what", "which", "who", "when", "where", "why", "how"]
        guard words.count <= 5, words.first.map({ !questionWords.contains($0) }) ?? false else { return false }
        if !Set(words).isDisjoint(with: ["score", "scale", "rule", "rules", "tool"]) { return true }
        // A token mixing capitals and digits, or capitals joined by a hyphen: CURB-65, NEWS2, HAS-BLED.
        return question.split(whereSeparator: { $0 == " " || $0 == "?" }).contains { token in
            let letters = token.filter(\.isLetter)
            let upper = letters.filter(\.isUppercase).count
            return upper >= 2 && upper * 2 >= letters.count && (token.contains(where: \.isNumber) || token.contains("-"))
        }
    }

    // MARK: - Amounts in a sentence

    /// An amount a sentence states: the number as written and its unit.
    public struct Amount: Sendable, Hashable {
        public var number: String
        public var unit: String
        /// Per unit of time ("units/kg/h", "mL/h", "breaths per minute").
        public var isRate: Bool
        /// A span of time ("over 1 hour", "5 days").
        public var isTime: Bool
    }

    static let doseUnits: Set<String> = [
        "mg", "g", "kg", "mcg", "µg", "microgram", "micrograms", "nanograms", "ng", "ml", "l", "litre", "litres", "liter", "liters",
        "unit", "units", "iu", "mmol", "mol", "meq", "tablet", "tablets", "puffs", "drops",
    ]
    static let timeUnits: Set<String> = [
        "s", "sec", "seconds", "min", "mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "day", "days", "week", "weeks",
        "month", "months", "year", "years",
    ]
    static let levelUnits: Set<String> = ["mmhg", "%", "bpm", "°c", "breaths", "beats", "points", "point", "x"]

    /// Every number-with-unit in `sentence` ("0.1 units/kg/h", "30 mL/kg", "10 to 15 minutes").
    public static func amounts(in sentence: String) -> [Amount] {
        let tokens = sentence.split(whereSeparator: { $0 == " " || $0 == "\n" }).map {
            String($0).trimmingCharacters(in: .init(charactersIn: "(),;:[]"))
        }
        var out: [Amount] = []
        var i = 0
        while i < tokens.count {
            let t = tokens[i]
            guard let first = t.first, first.isNumber else {
                i += 1
                continue
            }
            let numberEnd = t.firstIndex { !($0.isNumber || $0 == "." || $0 == ",") } ?? t.endIndex
            let number = String(t[..<numberEnd]).trimmingCharacters(in: .init(charactersIn: ".,"))
            var unit = String(t[numberEnd...])
            var next = i + 1
            // "30 to 60 minutes", "3.5 to 5.5 mmol/L": the unit follows the range's end.
            if unit.isEmpty, next + 1 < tokens.count, ["to", "-", "–", "or", "and"].contains(tokens[next]),
                tokens[next + 1].first?.isNumber == true
            {
                let end = tokens[next + 1]
                let e = end.firstIndex { !($0.isNumber || $0 == "." || $0 == ",") } ?? end.endIndex
                unit = String(end[e...])
                next += 2
            }
            if unit.isEmpty, next < tokens.count { unit = tokens[next].trimmingCharacters(in: .init(charactersIn: ".")) }
            let lower = unit.lowercased().trimmingCharacters(in: .init(charactersIn: "."))
            let base = lower.split(separator: "/").first.map(String.init) ?? lower
            let after = next + 1 < tokens.count ? tokens[next + 1].lowercased() : ""
            let perTime = lower.contains("/h") || lower.contains("/min") || lower.hasSuffix("/day") || after == "per" || after == "an"
            let known = doseUnits.contains(base) || timeUnits.contains(base) || levelUnits.contains(base) || base.hasPrefix("%")
            if known {
                out.append(
                    Amount(number: number, unit: unit, isRate: perTime && !timeUnits.contains(base), isTime: timeUnits.contains(base)))
            }
            i = max(i + 1, next)
        }
        return out
    }

    /// Whether `sentence` states an amount of this kind: a rate for a rate question, a span
    /// of time for a duration, a dose unit for a dose, any amount for a threshold or for a
    /// kind that is not an amount (management, a bare topic).
    public func isStated(in sentence: String) -> Bool {
        let found = Self.amounts(in: sentence)
        switch self {
        case .quantity(.rate): return found.contains(where: \.isRate)
        case .quantity(.duration): return found.contains(where: \.isTime)
        case .quantity(.dose): return found.contains { !$0.isTime && !Self.levelUnits.contains($0.unit.lowercased()) }
        default: return !found.isEmpty
        }
    }
}
