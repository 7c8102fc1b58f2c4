import Core
import Foundation
import SQLiteStore
import TestSupport

@testable import Inference

/// A temp folder with a database, removed on `cleanup()`.
struct TestBed {
    let dir: String
    let db: BedsideDatabase

    init() throws {
        dir = try TempDirectory(prefix: "bedside-inf").path
        db = try BedsideDatabase(path: dir + "/t.sqlite")
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }

    static let sepsisNote = """
        # Sepsis: initial management

        > Demo content written by the Bedside team for software testing. Not for clinical use.
        > Summarises: Surviving Sepsis Campaign 2021

        ## Recognition

        Sepsis is life-threatening organ dysfunction caused by a dysregulated host response to infection. Septic shock is sepsis with vasopressors needed to keep a mean arterial pressure of 65 mmHg and a lactate above 2 mmol/L.

        ## Initial management

        In septic shock, give at least 30 mL/kg of intravenous crystalloid as the first-line fluid bolus within the first 3 hours. Balanced crystalloids are preferred over saline. Reassess the patient after each bolus.

        Noradrenaline is the first-line vasopressor, targeting a mean arterial pressure of 65 mmHg.

        ### Antibiotics

        Give broad-spectrum antibiotics within one hour when septic shock is likely — ideally after blood cultures. Café-au-lait naïve résumé 日本語 text keeps offsets honest.
        """

    static let asthmaNote = """
        # Acute asthma

        ## Treatment

        Give oxygen to keep saturations between 94 and 98 percent. Give salbutamol 5 mg by oxygen-driven nebuliser, repeated every 15 to 30 minutes. Give prednisolone 40 to 50 mg orally for at least five days.
        """
}
