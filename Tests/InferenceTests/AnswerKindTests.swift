import Foundation
import Testing

@testable import Inference

/// What kind of answer a question wants, and the amounts a sentence states.
@Suite("Answer kinds")
struct AnswerKindTests {
    @Test func questionsAreReadByTheirWords() {
        #expect(AnswerKind("CURB-65 criteria") == .list)
        #expect(AnswerKind("What are the components of the Wells score?") == .list)
        #expect(AnswerKind("CHA2DS2-VASc in atrial fibrillation") == .list)
        #expect(AnswerKind("IM adrenaline dose?") == .quantity(.dose))
        #expect(AnswerKind("How much fluid in sepsis?") == .quantity(.dose))
        #expect(AnswerKind("What is the insulin infusion rate in DKA?") == .quantity(.rate))
        #expect(AnswerKind("How long should antibiotics be given for cellulitis?") == .quantity(.duration))
        #expect(AnswerKind("What is the potassium threshold for treatment?") == .quantity(.threshold))
        #expect(AnswerKind("Does aspirin reduce mortality after stroke?") == .yesNo)
        #expect(AnswerKind("Should insulin be stopped?") == .yesNo)
        #expect(AnswerKind("What is sepsis?") == .definition)
        #expect(AnswerKind("How is hyperkalaemia treated?") == .management)
        #expect(AnswerKind("DKA insulin and fluids") == .other)
        #expect(AnswerKind("What is the role of ZCCHC17?") == .definition)
    }

    @Test func kindWordsAreNotTheSubject() {
        #expect(AnswerKind.kindStems(in: "CURB-65 criteria") == ["criteria"])
        #expect(AnswerKind.kindStems(in: "IM adrenaline dose?") == [Stemmer.stem("dose")])
        #expect(AnswerKind.kindStems(in: "What is ZCCHC17?").isEmpty)
    }

    @Test func amountsAreFoundWithTheirUnits() {
        let friii = "A fixed-rate intravenous insulin infusion (FRIII) is started at 0.1 units/kg/h of soluble insulin."
        #expect(AnswerKind.quantity(.rate).isStated(in: friii))
        #expect(AnswerKind.quantity(.dose).isStated(in: "The first-line bolus is 30 mL/kg of crystalloid."))
        #expect(AnswerKind.quantity(.duration).isStated(in: "FRIII is stopped 30 to 60 minutes after the first dose."))
        #expect(AnswerKind.quantity(.threshold).isStated(in: "Blood urea above 7 mmol/L."))
        #expect(!AnswerKind.quantity(.rate).isStated(in: "Long-acting basal insulin should be continued at the usual dose."))
        #expect(!AnswerKind.other.isStated(in: "CURB-65 is used in 2 settings by 3 teams."))
        #expect(AnswerKind.amounts(in: "Give 500 mL over 10 to 15 minutes.").map(\.unit) == ["mL", "minutes"])
    }
}
