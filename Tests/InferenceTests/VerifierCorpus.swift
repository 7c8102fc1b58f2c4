/// Hand-written model outputs over the demo corpus (corpus/demo), each sentence labelled.
///
/// Written the way small models (SmolLM2-135M and the like) get answers wrong: a dose with
/// the wrong number or unit under the right citation, numbers swapped between age groups or
/// steps, a negation dropped or added, the right topic with the wrong claim, section titles
/// made up from the prompt's headings, lead-ins with no content; and faithful answers,
/// many of them paraphrased, some cited to the wrong passage of the right question.
///
/// Citations are written `[@document#Section]` and replaced by the number the prompt gives
/// that passage for the question (so the cases survive changes in retrieval order); a
/// passage the prompt does not hold becomes `[9]`, a number that points at no source.
struct VerifierCase: Sendable {
    enum Label: String, Sendable { case faithful, unfaithful, empty }
    struct Expectation: Sendable {
        /// The start of the sentence as the checker sees it (citations stripped).
        var prefix: String
        var label: Label
        var why: String
    }
    var id: String
    var kind: String
    var question: String
    var output: String
    var expect: [Expectation]
}

enum VerifierCorpus {
    static func f(_ prefix: String, _ why: String = "says what the source says") -> VerifierCase.Expectation {
        .init(prefix: prefix, label: .faithful, why: why)
    }
    static func u(_ prefix: String, _ why: String) -> VerifierCase.Expectation { .init(prefix: prefix, label: .unfaithful, why: why) }
    static func e(_ prefix: String) -> VerifierCase.Expectation { .init(prefix: prefix, label: .empty, why: "no content of its own") }

    static let adrenalineQ = "What is the IM adrenaline dose for an adult with anaphylaxis?"
    static let antihistamineQ = "Should antihistamines or steroids be given in the emergency treatment of anaphylaxis?"
    static let observeQ = "How long should patients be observed after anaphylaxis?"
    static let fluidQ = "What is the first-line fluid bolus in septic shock?"
    static let vasopressorQ = "Which vasopressor is first-line in septic shock and what MAP target?"
    static let antibioticQ = "When should antibiotics be given in sepsis?"
    static let salbutamolQ = "What is the salbutamol dose in acute asthma?"
    static let severeAsthmaQ = "What defines acute severe asthma?"
    static let calciumQ = "How is hyperkalaemia with ECG changes treated?"
    static let insulinGlucoseQ = "What insulin and glucose regimen shifts potassium in hyperkalaemia?"
    static let naloxoneQ = "What is the naloxone dose for opioid overdose?"
    static let naloxoneDurationQ = "How long does naloxone last?"
    static let hypoConsciousQ = "How do you treat hypoglycaemia in a conscious adult?"
    static let hypoUnconsciousQ = "How is an unconscious patient with hypoglycaemia treated?"
    static let nacRegimenQ = "What is the acetylcysteine regimen for paracetamol overdose?"
    static let nacIndicationQ = "When is acetylcysteine indicated after paracetamol overdose?"
    static let statusFirstQ = "What is the first-line treatment of status epilepticus?"
    static let statusSecondQ = "What second-line drugs are used in status epilepticus?"
    static let curbQ = "How is the CURB-65 score interpreted?"
    static let dkaInsulinQ = "What insulin infusion rate is used in DKA?"
    static let dkaDiagnosisQ = "How is DKA diagnosed?"

    static let cases: [VerifierCase] = [
        // MARK: Anaphylaxis: adrenaline
        .init(
            id: "ana-dose-faithful", kind: "faithful", question: adrenalineQ,
            output:
                "The IM adrenaline dose for adults is 500 micrograms (0.5 mL of 1 mg/mL) [@anaphylaxis#Adrenaline]. The dose should be repeated after 5 minutes if there is no improvement [@anaphylaxis#Adrenaline].",
            expect: [f("The IM adrenaline dose for adults is 500"), f("The dose should be repeated after 5")]),
        .init(
            id: "ana-dose-smollm", kind: "wrong-dose", question: adrenalineQ,
            output: "The sources are [@anaphylaxis#Adrenaline]:\nThe answer is: 500 to 1000 micrograms (0.5 mL) [@anaphylaxis#Adrenaline].",
            expect: [e("The sources are"), u("The answer is: 500 to 1000", "the source gives 500 micrograms; 1000 micrograms is nowhere")]),
        .init(
            id: "ana-title-vasopressin", kind: "made-up-title", question: adrenalineQ,
            output:
                "Anaphylaxis: Emergency Treatment — Initial Management\n- Vasopressin and hydrocortisone 200 mg/kg/min [@sepsis-initial-management#Vasopressors]\n- IM adrenaline 500 micrograms [@anaphylaxis#Adrenaline]",
            expect: [
                u("Anaphylaxis: Emergency Treatment", "a section title the model made up"),
                u("Vasopressin and hydrocortisone 200", "hydrocortisone is 200 mg per day in sepsis, not 200 mg/kg/min, and not for anaphylaxis"),
                f("IM adrenaline 500 micrograms"),
            ]),
        .init(
            id: "ana-dose-mg", kind: "wrong-unit", question: adrenalineQ,
            output: "Adults with anaphylaxis should be given 500 mg of IM adrenaline [@anaphylaxis#Adrenaline].",
            expect: [u("Adults with anaphylaxis should be given 500 mg", "milligrams, not micrograms")]),
        .init(
            id: "ana-dose-swapped", kind: "swapped-numbers", question: adrenalineQ,
            output:
                "The IM adrenaline dose is 300 micrograms for adults and 500 micrograms for children aged 6 to 12 years [@anaphylaxis#Adrenaline].",
            expect: [u("The IM adrenaline dose is 300 micrograms for adults", "the adult and child doses are swapped")]),
        .init(
            id: "ana-dose-volume", kind: "wrong-dose", question: adrenalineQ,
            output: "For an adult, give 0.5 mg of adrenaline IM, which is 5 mL of the 1:1000 solution [@anaphylaxis#Adrenaline].",
            expect: [u("For an adult, give 0.5 mg", "0.5 mL, not 5 mL")]),
        .init(
            id: "ana-dose-paraphrase", kind: "faithful", question: adrenalineQ,
            output: "Give adults 0.5 mg of adrenaline intramuscularly, ideally into the anterolateral thigh [@anaphylaxis#Adrenaline].",
            expect: [f("Give adults 0.5 mg", "0.5 mg is 500 micrograms; the thigh is the preferred site")]),
        .init(
            id: "ana-route-iv", kind: "right-topic-wrong-claim", question: adrenalineQ,
            output:
                "Intravenous adrenaline is the first-line treatment of anaphylaxis and should be given as soon as it is suspected [@anaphylaxis#Adrenaline].",
            expect: [u("Intravenous adrenaline is the first-line", "intramuscular, not intravenous")]),
        .init(
            id: "ana-child-dose-wrong-cite", kind: "faithful", question: adrenalineQ,
            output: "Children aged 6 to 12 years receive 300 micrograms (0.3 mL) [@anaphylaxis#Recognition].",
            expect: [f("Children aged 6 to 12 years receive 300", "right claim, cited to the wrong passage of the right document")]),
        .init(
            id: "ana-infant-dose", kind: "swapped-numbers", question: adrenalineQ,
            output: "Infants under 6 months get 150 micrograms, and children from 6 months to 6 years get 100 micrograms [@anaphylaxis#Adrenaline].",
            expect: [u("Infants under 6 months get 150", "150 micrograms is for 6 months to 6 years; 100 to 150 for infants")]),

        // MARK: Anaphylaxis: antihistamines and steroids
        .init(
            id: "ana-antihistamine-faithful", kind: "faithful", question: antihistamineQ,
            output:
                "No. Antihistamines are not part of the initial emergency treatment of anaphylaxis, and corticosteroids are no longer advised routinely [@anaphylaxis#Supportive].",
            expect: [
                f(
                    "No. Antihistamines are not part of the initial",
                    "a leading \"No.\" stays with the sentence (the splitter reads it as an abbreviation)")
            ]),
        .init(
            id: "ana-antihistamine-flip", kind: "negation-flip", question: antihistamineQ,
            output: "Antihistamines and corticosteroids should be given as part of the initial emergency treatment [@anaphylaxis#Supportive].",
            expect: [u("Antihistamines and corticosteroids should be given", "the source says they are not part of it")]),
        .init(
            id: "ana-steroid-flip", kind: "negation-flip", question: antihistamineQ,
            output: "Yes, corticosteroids are routinely advised for the emergency treatment of anaphylaxis [@anaphylaxis#Supportive].",
            expect: [u("Yes, corticosteroids are routinely advised", "no longer advised routinely")]),
        .init(
            id: "ana-chlorphenamine", kind: "right-topic-wrong-claim", question: antihistamineQ,
            output: "Chlorphenamine 10 mg IV is the first-line treatment of anaphylaxis [@anaphylaxis#Adrenaline].",
            expect: [u("Chlorphenamine 10 mg IV", "no source mentions chlorphenamine; adrenaline is first-line")]),
        .init(
            id: "ana-two-sources", kind: "faithful", question: antihistamineQ,
            output:
                "Intramuscular adrenaline is the first-line treatment, and antihistamines are not part of the initial emergency treatment [@anaphylaxis#Adrenaline][@anaphylaxis#Supportive].",
            expect: [f("Intramuscular adrenaline is the first-line treatment, and", "each half is backed by one of the two cited passages")]),
        .init(
            id: "ana-position", kind: "faithful", question: antihistamineQ,
            output:
                "The patient should lie flat with the legs raised, or sit up if breathing is difficult [@anaphylaxis#Supportive]. They should not stand or walk [@anaphylaxis#Supportive].",
            expect: [f("The patient should lie flat"), f("They should not stand or walk")]),
        .init(
            id: "ana-refractory-wrong", kind: "right-topic-wrong-claim", question: antihistamineQ,
            output: "Refractory anaphylaxis is defined as no improvement after a single dose of IM adrenaline [@anaphylaxis#Supportive].",
            expect: [u("Refractory anaphylaxis is defined as no improvement after a single", "two doses, not one")]),
        .init(
            id: "ana-refractory-high", kind: "direction-flip", question: antihistamineQ,
            output:
                "Refractory anaphylaxis needs early critical care help and a high-dose intravenous adrenaline infusion [@anaphylaxis#Supportive].",
            expect: [u("Refractory anaphylaxis needs early critical care help and a high-dose", "low-dose, not high-dose")]),

        // MARK: Anaphylaxis: observation
        .init(
            id: "ana-observe-faithful", kind: "faithful", question: observeQ,
            output:
                "After a good response to a single dose of adrenaline given within 30 minutes of onset, patients may be discharged after 2 hours of observation if symptoms have fully resolved [@anaphylaxis#Investigations].",
            expect: [f("After a good response to a single dose")]),
        .init(
            id: "ana-observe-mixed", kind: "swapped-numbers", question: observeQ,
            output: "Patients who needed two doses of adrenaline should be observed for at least 2 hours [@anaphylaxis#Investigations].",
            expect: [
                u(
                    "Patients who needed two doses of adrenaline should be observed for at least 2",
                    "two doses need at least 6 hours; 2 hours is after a single dose")
            ]),
        .init(
            id: "ana-observe-24h", kind: "wrong-dose", question: observeQ,
            output:
                "At least 24 hours of observation is advised for severe reactions needing more than two doses of adrenaline [@anaphylaxis#Investigations].",
            expect: [u("At least 24 hours of observation", "12 hours, not 24")]),
        .init(
            id: "ana-observe-6h", kind: "faithful", question: observeQ,
            output: "A minimum of 6 hours of observation is advised when two doses of IM adrenaline were needed [@anaphylaxis#Investigations].",
            expect: [f("A minimum of 6 hours of observation")]),
        .init(
            id: "ana-tryptase-wrong", kind: "right-topic-wrong-claim", question: observeQ,
            output: "Mast cell tryptase only needs to be measured once, 24 hours after the reaction [@anaphylaxis#Investigations].",
            expect: [u("Mast cell tryptase only needs to be measured once", "three samples, the first as soon as possible")]),
        .init(
            id: "ana-observe-keypoints", kind: "made-up-title", question: observeQ,
            output:
                "Key points:\n1. Observation Period After Anaphylaxis\n2. Patients can go home after 1 hour if they feel better [@anaphylaxis#Investigations].",
            expect: [
                e("Key points"), u("Observation Period After Anaphylaxis", "a heading the model made up"),
                u("Patients can go home after 1 hour", "2 hours after a good response to one dose, not 1 hour"),
            ]),
        .init(
            id: "ana-autoinjector", kind: "faithful", question: observeQ,
            output:
                "Before discharge, patients at risk of recurrence should get two adrenaline auto-injectors with training and a referral to an allergy clinic [@anaphylaxis#Investigations].",
            expect: [f("Before discharge, patients at risk")]),

        // MARK: Sepsis
        .init(
            id: "sepsis-fluid-faithful", kind: "faithful", question: fluidQ,
            output:
                "In septic shock, give 30 mL/kg of intravenous crystalloid within the first 3 hours [@sepsis-initial-management#Fluid]. Balanced crystalloids such as Hartmann's solution are preferred over 0.9% sodium chloride [@sepsis-initial-management#Fluid].",
            expect: [f("In septic shock, give 30 mL/kg"), f("Balanced crystalloids such as Hartmann")]),
        .init(
            id: "sepsis-fluid-20", kind: "wrong-dose", question: fluidQ,
            output: "The first-line fluid bolus in septic shock is 20 mL/kg of crystalloid over 1 hour [@sepsis-initial-management#Fluid].",
            expect: [u("The first-line fluid bolus in septic shock is 20", "30 mL/kg within 3 hours")]),
        .init(
            id: "sepsis-fluid-ml", kind: "wrong-unit", question: fluidQ,
            output: "Give 30 mL of intravenous crystalloid within the first 3 hours [@sepsis-initial-management#Fluid].",
            expect: [u("Give 30 mL of intravenous", "30 mL/kg, not 30 mL")]),
        .init(
            id: "sepsis-starch-flip", kind: "negation-flip", question: fluidQ,
            output: "Starches and gelatins can be used for fluid resuscitation in sepsis [@sepsis-initial-management#Fluid].",
            expect: [u("Starches and gelatins can be used", "should not be used")]),
        .init(
            id: "sepsis-saline-reversed", kind: "right-topic-wrong-claim", question: fluidQ,
            output: "0.9% sodium chloride is preferred over balanced crystalloids for the initial resuscitation [@sepsis-initial-management#Fluid].",
            expect: [u("0.9% sodium chloride is preferred over balanced", "the preference is reversed")]),
        .init(
            id: "sepsis-reassess", kind: "faithful", question: fluidQ,
            output:
                "Reassess fluid responsiveness after each bolus using heart rate, blood pressure, capillary refill time, urine output and lactate [@sepsis-initial-management#Fluid].",
            expect: [f("Reassess fluid responsiveness after each bolus")]),
        .init(
            id: "sepsis-noradrenaline-faithful", kind: "faithful", question: vasopressorQ,
            output:
                "Noradrenaline is the first-line vasopressor in septic shock, with an initial MAP target of 65 mmHg [@sepsis-initial-management#Vasopressors].",
            expect: [f("Noradrenaline is the first-line vasopressor in septic shock, with")]),
        .init(
            id: "sepsis-map-75", kind: "wrong-dose", question: vasopressorQ,
            output: "Noradrenaline is first-line, targeting a MAP of 75 mmHg [@sepsis-initial-management#Vasopressors].",
            expect: [u("Noradrenaline is first-line, targeting a MAP of 75", "65 mmHg")]),
        .init(
            id: "sepsis-dopamine", kind: "right-topic-wrong-claim", question: vasopressorQ,
            output: "Dopamine is the first-line vasopressor in septic shock [@sepsis-initial-management#Vasopressors].",
            expect: [u("Dopamine is the first-line vasopressor", "noradrenaline, not dopamine")]),
        .init(
            id: "sepsis-vasopressin-dose", kind: "swapped-numbers", question: vasopressorQ,
            output: "Vasopressin is added when the noradrenaline dose reaches about 0.25 to 0.5 mg/kg/min [@sepsis-initial-management#Vasopressors].",
            expect: [u("Vasopressin is added when the noradrenaline dose reaches", "µg/kg/min, not mg/kg/min")]),
        .init(
            id: "sepsis-hydrocortisone", kind: "faithful", question: vasopressorQ,
            output:
                "Hydrocortisone 200 mg a day, usually as 50 mg every 6 hours, is suggested when noradrenaline at 0.25 µg/kg/min or more has been needed for at least 4 hours [@sepsis-initial-management#Vasopressors].",
            expect: [f("Hydrocortisone 200 mg a day")]),
        .init(
            id: "sepsis-peripheral-flip", kind: "negation-flip", question: vasopressorQ,
            output:
                "Noradrenaline should not be started through a peripheral cannula; wait until a central line is placed [@sepsis-initial-management#Vasopressors].",
            expect: [u("Noradrenaline should not be started through a peripheral", "it may be started peripherally rather than delaying")]),
        .init(
            id: "sepsis-antibiotic-faithful", kind: "faithful", question: antibioticQ,
            output:
                "In possible septic shock or probable sepsis, antimicrobials should be given immediately, ideally within 1 hour [@sepsis-initial-management#Antimicrobials]. Blood cultures should be taken first when this does not cause a meaningful delay [@sepsis-initial-management#Antimicrobials].",
            expect: [f("In possible septic shock or probable sepsis"), f("Blood cultures should be taken first")]),
        .init(
            id: "sepsis-antibiotic-6h", kind: "wrong-dose", question: antibioticQ,
            output:
                "Antibiotics should be started within 6 hours when sepsis is possible but shock is absent [@sepsis-initial-management#Antimicrobials].",
            expect: [u("Antibiotics should be started within 6 hours", "within 3 hours")]),

        // MARK: Asthma
        .init(
            id: "asthma-salbutamol-faithful", kind: "faithful", question: salbutamolQ,
            output: "Salbutamol 5 mg is given by oxygen-driven nebuliser and repeated every 15 to 30 minutes [@acute-asthma#Initial].",
            expect: [f("Salbutamol 5 mg is given")]),
        .init(
            id: "asthma-salbutamol-2.5", kind: "wrong-dose", question: salbutamolQ,
            output: "The salbutamol dose in acute asthma is 2.5 mg by nebuliser every 4 hours [@acute-asthma#Initial].",
            expect: [u("The salbutamol dose in acute asthma is 2.5", "5 mg every 15 to 30 minutes")]),
        .init(
            id: "asthma-ipratropium-swap", kind: "swapped-numbers", question: salbutamolQ,
            output: "Give salbutamol 0.5 mg and ipratropium 5 mg by nebuliser [@acute-asthma#Initial].",
            expect: [u("Give salbutamol 0.5 mg and ipratropium 5 mg", "the two doses are swapped")]),
        .init(
            id: "asthma-pred-faithful", kind: "faithful", question: salbutamolQ,
            output: "Prednisolone 40 to 50 mg orally once daily is given for at least 5 days [@acute-asthma#Initial].",
            expect: [f("Prednisolone 40 to 50 mg orally")]),
        .init(
            id: "asthma-magnesium-g-mg", kind: "wrong-unit", question: salbutamolQ,
            output:
                "For acute severe asthma not responding to bronchodilators, consider a single dose of IV magnesium sulfate 1.2 to 2 mg over 20 minutes [@acute-asthma#Escalation].",
            expect: [u("For acute severe asthma not responding", "grams, not milligrams")]),
        .init(
            id: "asthma-severe-faithful", kind: "faithful", question: severeAsthmaQ,
            output:
                "Acute severe asthma is defined by any one of PEF 33 to 50% of best or predicted, a respiratory rate of 25/min or more, a heart rate of 110/min or more, or inability to complete sentences in one breath [@acute-asthma#Severity].",
            expect: [f("Acute severe asthma is defined by any one of PEF 33")]),
        .init(
            id: "asthma-severe-swapped", kind: "swapped-numbers", question: severeAsthmaQ,
            output: "Acute severe asthma means a respiratory rate of 110/min or more or a heart rate of 25/min or more [@acute-asthma#Severity].",
            expect: [u("Acute severe asthma means a respiratory rate of 110", "respiratory and heart rate thresholds swapped")]),
        .init(
            id: "asthma-lifethreat-direction", kind: "direction-flip", question: severeAsthmaQ,
            output: "Life-threatening asthma is present with SpO2 above 92% or PEF above 33% [@acute-asthma#Severity].",
            expect: [u("Life-threatening asthma is present with SpO2 above", "below, not above")]),
        .init(
            id: "asthma-antibiotics-flip", kind: "negation-flip", question: severeAsthmaQ,
            output: "Antibiotics are routinely needed in acute asthma [@acute-asthma#Escalation].",
            expect: [u("Antibiotics are routinely needed", "not routinely needed")]),

        // MARK: Hyperkalaemia
        .init(
            id: "k-calcium-faithful", kind: "faithful", question: calciumQ,
            output:
                "When the ECG shows changes, give 30 mL of 10% calcium gluconate or 10 mL of 10% calcium chloride intravenously over 5 to 10 minutes to stabilise the myocardium [@hyperkalaemia#Protecting].",
            expect: [f("When the ECG shows changes, give 30 mL")]),
        .init(
            id: "k-calcium-swapped", kind: "swapped-numbers", question: calciumQ,
            output: "Give 10 mL of 10% calcium gluconate or 30 mL of 10% calcium chloride IV [@hyperkalaemia#Protecting].",
            expect: [u("Give 10 mL of 10% calcium gluconate", "the gluconate and chloride volumes are swapped")]),
        .init(
            id: "k-calcium-lowers-flip", kind: "negation-flip", question: calciumQ,
            output: "Calcium lowers serum potassium and its effect lasts about 30 to 60 minutes [@hyperkalaemia#Protecting].",
            expect: [u("Calcium lowers serum potassium", "calcium does not lower potassium")]),
        .init(
            id: "k-title", kind: "made-up-title", question: calciumQ,
            output:
                "Hyperkalaemia Emergency Protocol — Cardiac Protection Step\nIntravenous calcium is given when the ECG shows changes of hyperkalaemia [@hyperkalaemia#Protecting].",
            expect: [u("Hyperkalaemia Emergency Protocol", "a heading the model made up"), f("Intravenous calcium is given when the ECG")]),
        .init(
            id: "k-insulin-faithful", kind: "faithful", question: insulinGlucoseQ,
            output:
                "The standard regimen is 10 units of soluble insulin with 25 g of glucose, for example 250 mL of 10% glucose, infused over 15 minutes [@hyperkalaemia#Shifting].",
            expect: [f("The standard regimen is 10 units")]),
        .init(
            id: "k-insulin-50g", kind: "wrong-dose", question: insulinGlucoseQ,
            output: "Give 10 units of soluble insulin with 50 g of glucose over 15 minutes [@hyperkalaemia#Shifting].",
            expect: [u("Give 10 units of soluble insulin with 50 g", "25 g of glucose")]),
        .init(
            id: "k-insulin-effect", kind: "direction-flip", question: insulinGlucoseQ,
            output: "Insulin-glucose raises potassium by about 0.6 to 1.0 mmol/L within 15 to 60 minutes [@hyperkalaemia#Shifting].",
            expect: [u("Insulin-glucose raises potassium", "lowers, not raises")]),
        .init(
            id: "k-salbutamol-single", kind: "negation-flip", question: insulinGlucoseQ,
            output: "Nebulised salbutamol 10 to 20 mg can be used as a single therapy for severe hyperkalaemia [@hyperkalaemia#Shifting].",
            expect: [u("Nebulised salbutamol 10 to 20 mg can be used as a single therapy", "should not be used as a single therapy")]),

        // MARK: Opioid overdose
        .init(
            id: "opioid-naloxone-faithful", kind: "faithful", question: naloxoneQ,
            output:
                "The adult regimen is 400 micrograms of naloxone intravenously, then 800 micrograms for up to two doses at 1-minute intervals if there is no response [@opioid-overdose-naloxone#Naloxone dosing].",
            expect: [f("The adult regimen is 400 micrograms")]),
        .init(
            id: "opioid-naloxone-mg", kind: "wrong-unit", question: naloxoneQ,
            output: "Give naloxone 400 mg IV, repeated every 2 to 3 minutes [@opioid-overdose-naloxone#Naloxone dosing].",
            expect: [u("Give naloxone 400 mg IV", "micrograms, not milligrams")]),
        .init(
            id: "opioid-naloxone-im", kind: "faithful", question: naloxoneQ,
            output:
                "When there is no IV access, naloxone can be given intramuscularly at 400 micrograms, repeated every 2 to 3 minutes [@opioid-overdose-naloxone#Naloxone dosing].",
            expect: [f("When there is no IV access")]),
        .init(
            id: "opioid-aim-flip", kind: "right-topic-wrong-claim", question: naloxoneQ,
            output: "The aim of naloxone treatment is full wakefulness [@opioid-overdose-naloxone#Naloxone dosing].",
            expect: [u("The aim of naloxone treatment is full wakefulness", "adequate breathing, not full wakefulness")]),
        .init(
            id: "opioid-duration-faithful", kind: "faithful", question: naloxoneDurationQ,
            output:
                "Naloxone lasts about 45 to 90 minutes, which is shorter than many opioids, so respiratory depression can come back [@opioid-overdose-naloxone#Duration].",
            expect: [f("Naloxone lasts about 45 to 90 minutes")]),
        .init(
            id: "opioid-duration-longer", kind: "direction-flip", question: naloxoneDurationQ,
            output: "The effect of naloxone lasts longer than the effect of most opioids [@opioid-overdose-naloxone#Duration].",
            expect: [u("The effect of naloxone lasts longer", "shorter, not longer")]),
        .init(
            id: "opioid-duration-hours", kind: "wrong-unit", question: naloxoneDurationQ,
            output: "The effect of naloxone lasts about 45 to 90 hours [@opioid-overdose-naloxone#Duration].",
            expect: [u("The effect of naloxone lasts about 45 to 90 hours", "minutes, not hours")]),

        // MARK: Hypoglycaemia
        .init(
            id: "hypo-conscious-faithful", kind: "faithful", question: hypoConsciousQ,
            output:
                "Give 15 to 20 g of quick-acting carbohydrate, such as 150 to 200 mL of pure fruit juice [@hypoglycaemia#Conscious]. Recheck capillary glucose after 10 to 15 minutes [@hypoglycaemia#Conscious].",
            expect: [f("Give 15 to 20 g of quick-acting"), f("Recheck capillary glucose after 10 to 15")]),
        .init(
            id: "hypo-conscious-50g", kind: "wrong-dose", question: hypoConsciousQ,
            output: "A conscious adult should be given 50 g of quick-acting carbohydrate [@hypoglycaemia#Conscious].",
            expect: [u("A conscious adult should be given 50 g", "15 to 20 g")]),
        .init(
            id: "hypo-threshold-direction", kind: "direction-flip", question: hypoConsciousQ,
            output: "Repeat the quick-acting carbohydrate up to three times if glucose remains above 4.0 mmol/L [@hypoglycaemia#Conscious].",
            expect: [u("Repeat the quick-acting carbohydrate up to three times if glucose remains above", "below 4.0, not above")]),
        .init(
            id: "hypo-unconscious-faithful", kind: "faithful", question: hypoUnconsciousQ,
            output:
                "An unconscious patient should receive intravenous glucose, 75 to 80 mL of 20% glucose or 150 to 160 mL of 10% glucose over 10 to 15 minutes [@hypoglycaemia#Impaired].",
            expect: [f("An unconscious patient should receive intravenous glucose")]),
        .init(
            id: "hypo-unconscious-swapped", kind: "swapped-numbers", question: hypoUnconsciousQ,
            output: "Give 150 to 160 mL of 20% glucose or 75 to 80 mL of 10% glucose IV [@hypoglycaemia#Impaired].",
            expect: [u("Give 150 to 160 mL of 20% glucose", "volumes swapped between concentrations")]),
        .init(
            id: "hypo-glucagon-faithful", kind: "faithful", question: hypoUnconsciousQ,
            output: "If there is no IV access, glucagon 1 mg is given intramuscularly [@hypoglycaemia#Impaired].",
            expect: [f("If there is no IV access, glucagon 1 mg")]),
        .init(
            id: "hypo-insulin-flip", kind: "negation-flip", question: hypoUnconsciousQ,
            output: "Insulin should be omitted in people with type 1 diabetes after hypoglycaemia [@hypoglycaemia#After].",
            expect: [u("Insulin should be omitted", "should not be omitted")]),

        // MARK: Paracetamol
        .init(
            id: "nac-regimen-faithful", kind: "faithful", question: nacRegimenQ,
            output:
                "The three-bag regimen gives 150 mg/kg over 1 hour, then 50 mg/kg over 4 hours, then 100 mg/kg over 16 hours [@paracetamol-overdose#Acetylcysteine].",
            expect: [f("The three-bag regimen gives 150 mg/kg")]),
        .init(
            id: "nac-regimen-swapped", kind: "swapped-numbers", question: nacRegimenQ,
            output:
                "The first bag gives 150 mg/kg over 4 hours and the second bag gives 50 mg/kg over 1 hour [@paracetamol-overdose#Acetylcysteine].",
            expect: [u("The first bag gives 150 mg/kg over 4 hours", "the bag durations are swapped")]),
        .init(
            id: "nac-snap-faithful", kind: "faithful", question: nacRegimenQ,
            output:
                "The 12-hour SNAP regimen gives 100 mg/kg over 2 hours followed by 200 mg/kg over 10 hours and causes fewer adverse reactions [@paracetamol-overdose#Acetylcysteine].",
            expect: [f("The 12-hour SNAP regimen")]),
        .init(
            id: "nac-snap-more", kind: "direction-flip", question: nacRegimenQ,
            output: "The SNAP regimen causes more adverse reactions than the three-bag regimen [@paracetamol-overdose#Acetylcysteine].",
            expect: [u("The SNAP regimen causes more adverse", "fewer, not more")]),
        .init(
            id: "nac-line-faithful", kind: "faithful", question: nacIndicationQ,
            output:
                "In the UK, acetylcysteine is given when the paracetamol level is on or above the treatment line joining 100 mg/L at 4 hours and 15 mg/L at 15 hours [@paracetamol-overdose#Blood levels].",
            expect: [f("In the UK, acetylcysteine is given when")]),
        .init(
            id: "nac-line-150", kind: "wrong-dose", question: nacIndicationQ,
            output: "In the UK the treatment line starts at 150 mg/L at 4 hours [@paracetamol-overdose#Blood levels].",
            expect: [u("In the UK the treatment line starts at 150", "100 mg/L in the UK; 150 is the US nomogram")]),
        .init(
            id: "nac-wait-flip", kind: "negation-flip", question: nacIndicationQ,
            output:
                "When the patient presents 8 hours or more after ingestion, wait for the paracetamol level before starting acetylcysteine [@paracetamol-overdose#Blood levels].",
            expect: [u("When the patient presents 8 hours or more after ingestion, wait", "start immediately without waiting")]),

        // MARK: Status epilepticus
        .init(
            id: "se-lorazepam-faithful", kind: "faithful", question: statusFirstQ,
            output:
                "A benzodiazepine is first-line: IV lorazepam 0.1 mg/kg, usually 4 mg in adults, which can be repeated once after 5 to 10 minutes [@status-epilepticus#First-line].",
            expect: [f("A benzodiazepine is first-line")]),
        .init(
            id: "se-lorazepam-10", kind: "wrong-dose", question: statusFirstQ,
            output: "Give intravenous lorazepam 10 mg to adults in status epilepticus [@status-epilepticus#First-line].",
            expect: [u("Give intravenous lorazepam 10 mg", "4 mg (0.1 mg/kg); 10 mg is midazolam")]),
        .init(
            id: "se-three-doses", kind: "wrong-dose", question: statusFirstQ,
            output: "Up to three doses of benzodiazepine can be given in total [@status-epilepticus#First-line].",
            expect: [u("Up to three doses of benzodiazepine", "no more than two")]),
        .init(
            id: "se-midazolam-faithful", kind: "faithful", question: statusFirstQ,
            output: "Without IV access, buccal midazolam 10 mg is an effective alternative [@status-epilepticus#First-line].",
            expect: [f("Without IV access, buccal midazolam 10 mg")]),
        .init(
            id: "se-levetiracetam-faithful", kind: "faithful", question: statusSecondQ,
            output:
                "NICE recommends intravenous levetiracetam first, at 60 mg/kg up to a maximum of 4500 mg over about 10 minutes [@status-epilepticus#Second-line].",
            expect: [f("NICE recommends intravenous levetiracetam first")]),
        .init(
            id: "se-levetiracetam-swap", kind: "swapped-numbers", question: statusSecondQ,
            output: "Levetiracetam is given at 40 mg/kg, maximum 3000 mg, and sodium valproate at 60 mg/kg [@status-epilepticus#Second-line].",
            expect: [u("Levetiracetam is given at 40 mg/kg", "the levetiracetam and valproate doses are swapped")]),
        .init(
            id: "se-valproate-flip", kind: "negation-flip", question: statusSecondQ,
            output: "Sodium valproate is preferred in women and girls of childbearing potential [@status-epilepticus#Second-line].",
            expect: [u("Sodium valproate is preferred in women", "it should be avoided in them")]),

        // MARK: CURB-65
        .init(
            id: "curb-faithful", kind: "faithful", question: curbQ,
            output:
                "A CURB-65 score of 0 or 1 means low severity with a 30-day mortality below 3%, and home treatment is usually appropriate [@curb-65-pneumonia-severity#Interpretation in hospital]. A score of 3 to 5 means high severity and hospital admission is required [@curb-65-pneumonia-severity#Interpretation in hospital].",
            expect: [f("A CURB-65 score of 0 or 1 means low"), f("A score of 3 to 5 means high")]),
        .init(
            id: "curb-2-high", kind: "right-topic-wrong-claim", question: curbQ,
            output:
                "A CURB-65 score of 2 indicates high severity and needs intensive care admission [@curb-65-pneumonia-severity#Interpretation in hospital].",
            expect: [u("A CURB-65 score of 2 indicates high severity", "moderate severity")]),
        .init(
            id: "curb-mortality", kind: "wrong-dose", question: curbQ,
            output: "A CURB-65 score of 3 to 5 carries a 30-day mortality above 40% [@curb-65-pneumonia-severity#Interpretation in hospital].",
            expect: [u("A CURB-65 score of 3 to 5 carries a 30-day mortality above 40", "above 15%")]),

        // MARK: DKA
        .init(
            id: "dka-insulin-faithful", kind: "faithful", question: dkaInsulinQ,
            output:
                "A fixed-rate intravenous insulin infusion is started at 0.1 units/kg/h of soluble insulin [@diabetic-ketoacidosis#Insulin]. Long-acting basal insulin should be continued at the usual dose [@diabetic-ketoacidosis#Insulin].",
            expect: [f("A fixed-rate intravenous insulin infusion"), f("Long-acting basal insulin should be continued")]),
        .init(
            id: "dka-insulin-1unit", kind: "wrong-dose", question: dkaInsulinQ,
            output: "Start a fixed-rate insulin infusion at 1 unit/kg/h [@diabetic-ketoacidosis#Insulin].",
            expect: [u("Start a fixed-rate insulin infusion at 1 unit", "0.1 units/kg/h")]),
        .init(
            id: "dka-basal-flip", kind: "negation-flip", question: dkaInsulinQ,
            output: "Long-acting basal insulin should be stopped during DKA treatment [@diabetic-ketoacidosis#Insulin].",
            expect: [u("Long-acting basal insulin should be stopped", "continued, not stopped")]),
        .init(
            id: "dka-potassium-flip", kind: "negation-flip", question: dkaInsulinQ,
            output: "Add 40 mmol of potassium to the first litre of fluid [@diabetic-ketoacidosis#Insulin].",
            expect: [u("Add 40 mmol of potassium to the first litre", "no potassium in the first litre")]),
        .init(
            id: "dka-diagnosis-faithful", kind: "faithful", question: dkaDiagnosisQ,
            output:
                "DKA is diagnosed with blood ketones of 3.0 mmol/L or more, blood glucose above 11.0 mmol/L or known diabetes, and venous bicarbonate below 15.0 mmol/L or pH below 7.3 [@diabetic-ketoacidosis#Diagnosis].",
            expect: [f("DKA is diagnosed with blood ketones of 3.0")]),
        .init(
            id: "dka-diagnosis-swapped", kind: "swapped-numbers", question: dkaDiagnosisQ,
            output: "DKA needs blood ketones of 11.0 mmol/L or more and glucose above 3.0 mmol/L [@diabetic-ketoacidosis#Diagnosis].",
            expect: [u("DKA needs blood ketones of 11.0", "ketone and glucose thresholds swapped")]),
        .init(
            id: "dka-resolved", kind: "faithful", question: dkaDiagnosisQ,
            output:
                "DKA is considered resolved when blood ketones are below 0.6 mmol/L and venous pH is above 7.3 [@diabetic-ketoacidosis#Resolution].",
            expect: [f("DKA is considered resolved")]),
        .init(
            id: "dka-answer-intro", kind: "made-up-title", question: dkaDiagnosisQ,
            output:
                "Here is the answer based on the sources:\nDiagnostic Criteria For Diabetic Ketoacidosis\nBlood ketones of 3.0 mmol/L or more are one of the three criteria [@diabetic-ketoacidosis#Diagnosis].",
            expect: [
                e("Here is the answer"), u("Diagnostic Criteria For Diabetic", "a heading the model made up"),
                f("Blood ketones of 3.0 mmol/L or more"),
            ]),
    ]
}
