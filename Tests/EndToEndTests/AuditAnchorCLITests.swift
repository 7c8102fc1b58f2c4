import Foundation
import TestSupport
import Testing

/// Issue 19 findings 4 and 8 through the built binary: `bedside audit checkpoint` writes a
/// signed line to a 0600 file, `bedside audit verify` names deleted tails and tampered
/// checkpoints (exit 1), and the CSV export neutralises spreadsheet formulas.
@Suite("bedside audit checkpoint and verify")
struct AuditAnchorCLITests {
    @Test func checkpointsAndVerifyFindATruncatedTrailAndATamperedCheckpoint() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("anchor.sqlite")
        for q in ["=HYPERLINK(\"http://evil.example\",\"CURB-65 criteria\")", "Target MAP in septic shock", "CURB-65 criteria"] {
            let r = try await Bin.run(["ask", "--db", db, "--json", q], env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
            #expect(r.status == 0 || r.status == 3, "stderr: \(r.stderr)")
        }
        let csv = try await Bin.run(["audit", "--db", db, "--format", "csv"])
        #expect(csv.stdout.contains(#""'=HYPERLINK(""http://evil.example"""#), "csv: \(csv.stdout)")
        #expect(!csv.stdout.contains(",=HYPERLINK") && !csv.stdout.contains(#","=HYPERLINK"#))

        let kept = s.file("elsewhere/checkpoints.jsonl")
        try FileManager.default.createDirectory(atPath: s.file("elsewhere"), withIntermediateDirectories: true)
        let checkpoint = try await Bin.run(["audit", "checkpoint", "--db", db, "--out", kept])
        #expect(checkpoint.status == 0, "stderr: \(checkpoint.stderr)")
        #expect(checkpoint.stdout.contains("checkpoint written to \(kept)"), "\(checkpoint.stdout)")
        #expect(try await Shell.run("stat", ["-c", "%a", kept]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        #expect(try await Shell.run("stat", ["-c", "%a", s.file("audit-checkpoint.key")]).stdout.hasPrefix("600"))
        let ok = try await Bin.run(["audit", "verify", "--db", db, "--checkpoints", kept])
        #expect(ok.status == 0 && ok.stdout.contains("1 signed checkpoints match"), "\(ok.stdout) \(ok.stderr)")

        // An edited checkpoint line is refused.
        let line = try String(contentsOfFile: kept, encoding: .utf8)
        try line.replacingOccurrences(of: "\"rows\":", with: "\"rows\":1").write(toFile: kept, atomically: true, encoding: .utf8)
        let forged = try await Bin.run(["audit", "verify", "--db", db, "--checkpoints", kept])
        #expect(forged.status == 1 && forged.stderr.contains("not trustworthy"), "\(forged.stdout) \(forged.stderr)")
        try line.write(toFile: kept, atomically: true, encoding: .utf8)

        // The last row deleted by someone who dropped the trigger: named, exit 1.
        let deleted = try await Shell.run(
            "sqlite3", [db, "DROP TRIGGER audit_append_only_delete; DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit);"])
        #expect(deleted.status == 0, "sqlite3: \(deleted.stderr)")
        let truncated = try await Bin.run(["audit", "verify", "--db", db])
        #expect(truncated.status == 1, "\(truncated.stdout) \(truncated.stderr)")
        #expect(truncated.stderr.contains("is missing at the end (deleted)"), "stderr: \(truncated.stderr)")
        // A checkpoint is never written over a broken chain.
        let refused = try await Bin.run(["audit", "checkpoint", "--db", db, "--out", kept])
        #expect(refused.status == 1 && refused.stderr.contains("audit chain broken"), "\(refused.stdout) \(refused.stderr)")
        #expect(try String(contentsOfFile: kept, encoding: .utf8) == line)
    }
}
