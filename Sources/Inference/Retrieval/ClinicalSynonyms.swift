/// Names that mean the same thing in clinical text, so a question's focus is found in a source
/// that words it the other way: British and American spellings ("hyperkalaemia",
/// "hyperkalemia"), international and US drug names ("adrenaline", "epinephrine"), and the
/// few everyday names of one substance ("dextrose", "glucose").
///
/// Kept small and exact on purpose: each entry is one substance or one spelling rule, never a
/// related idea ("insulin" is not "glucose"), because a focus held through a synonym lets a
/// source answer. Used where the gate asks whether a passage holds a focus word
/// (`QuestionFocus.holds`); retrieval is not changed.
enum ClinicalSynonyms {
    /// Groups of words for one substance (stemmed on first use).
    static let groups: [[String]] = [
        ["dextrose", "glucose"], ["adrenaline", "epinephrine"], ["noradrenaline", "norepinephrine"],
        ["paracetamol", "acetaminophen"], ["salbutamol", "albuterol"], ["furosemide", "frusemide"],
        ["lidocaine", "lignocaine"], ["nitroglycerin", "nitroglycerine", "gtn"], ["ciclosporin", "cyclosporine"],
        ["amoxicillin", "amoxycillin"], ["cefalexin", "cephalexin"], ["bendroflumethiazide", "bendrofluazide"],
        ["pethidine", "meperidine"], ["glibenclamide", "glyburide"], ["rifampicin", "rifampin"],
    ]

    static let table: [String: Set<String>] = {
        var out: [String: Set<String>] = [:]
        for g in groups {
            let stems = Set(g.map(Stemmer.stem))
            for s in stems { out[s, default: []].formUnion(stems) }
        }
        return out
    }()

    /// The stem with British digraphs spelt the American way ("haemorrhag" → "hemorrhag",
    /// "oesophag" → "esophag", "paediatr" → "pediatr"), so both spellings compare equal.
    static func spelling(_ stem: String) -> String {
        guard stem.utf8.count > 4, stem.contains("ae") || stem.contains("oe") else { return stem }
        return stem.replacingOccurrences(of: "ae", with: "e").replacingOccurrences(of: "oe", with: "e")
    }

    /// Whether `stems` holds `stem` under another name or spelling; `folded` is `stems` through
    /// `spelling(_:)` when the caller has it (a passage asked about several words).
    static func holds(_ stem: String, in stems: Set<String>, folded: Set<String>? = nil) -> Bool {
        if let names = table[stem], !names.isDisjoint(with: stems) { return true }
        let key = spelling(stem)
        if let folded { return folded.contains(key) }
        return stems.contains { spelling($0) == key }
    }
}
