import Foundation
import TestSupport
import Testing

/// Issue 19, findings 7 and 8 through the real binary: ingest refuses NUL characters and
/// does not follow links out of a folder; a token created right after `token revoke
/// --subject` works.
@Suite("Ingest and token safety end to end")
struct IngestAndTokenSafetyTests {
    @Test func ingestRefusesNULsAndSkipsLinksOutOfTheFolder() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("i.sqlite")
        let corpus = s.file("drugs.jsonl")
        try """
        {"id":"drug\\u0000-adult","title":"Adult","text":"Adult dose 1 g."}
        {"id":"drug\\u0000-child","title":"Child","text":"Child dose 15 mg/kg."}
        """.write(toFile: corpus, atomically: true, encoding: .utf8)
        let refused = try await Bin.run(["ingest", "--db", db, corpus])
        #expect(refused.status == 1, "stdout: \(refused.stdout)")
        #expect(refused.stderr.contains("drugs.jsonl:1: the id contains a NUL"), "\(refused.stderr)")

        let notes = s.file("notes")
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
        try "# Sepsis\nGive 30 mL/kg of crystalloid.\n".write(toFile: notes + "/sepsis.md", atomically: true, encoding: .utf8)
        let secret = s.file("secret.txt")
        try "root:x:0:0:root:/root:/bin/bash\n".write(toFile: secret, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: notes + "/passwd.txt", withDestinationPath: secret)
        let r = try await Bin.run(["ingest", "--db", db, "--json", notes])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("warning: skipped symbolic link \(notes)/passwd.txt -> \(secret) (points outside the folder"), "\(r.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["documents"] as? Int == 1)
        #expect(summary["skipped_links"] as? Int == 1)
        let plain = try await Bin.run(["ingest", "--db", db, notes])
        #expect(plain.stdout.contains("1 symbolic link skipped"), "\(plain.stdout)")
    }

    /// Revoke, then create, as fast as the CLI goes: the new token is valid in `token list`
    /// and on a running gateway, the older one is refused. Whole-second `iat` made a token
    /// created in the revocation's second born revoked; the loop retries (a few times at
    /// most) until one creation lands in that second, so the test reaches the case it guards.
    @Test func aTokenCreatedRightAfterRevokingItsSubjectWorks() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let db = s.file("g.sqlite")
        let server = try await ServerProcess.start(["--db", db], env: ["BEDSIDE_DEMO_CORPUS": Bin.demoCorpus])
        defer { server.kill() }
        var old = ""
        var fresh = ""
        for attempt in 1...5 {
            let subject = "dr-same-second-\(attempt)"
            old = try await Bin.run(["token", "create", "--db", db, "--subject", subject]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let revoke = try await Bin.run(["token", "revoke", "--db", db, "--subject", subject])
            #expect(revoke.status == 0, "stderr: \(revoke.stderr)")
            let created = try await Bin.run(["token", "create", "--db", db, "--subject", subject])
            #expect(created.status == 0, "stderr: \(created.stderr)")
            fresh = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let list = try await Bin.run(["token", "list", "--db", db, "--json", "--subject", subject])
            let tokens = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            let revoked = tokens.filter { $0["revoked_at"] != nil }
            let active = tokens.filter { $0["revoked_at"] == nil }
            #expect(revoked.count == 1 && active.count == 1, "\(list.stdout)")
            // ISO 8601 to the second: equal strings mean the same second.
            if let cut = revoked.first?["revoked_at"] as? String, let born = active.first?["issued_at"] as? String, cut == born { break }
        }
        let question = "What is the first-line fluid bolus in septic shock?"
        let works = try await Bin.run(["ask", "--gateway", server.url, "--token", fresh, "--json", question])
        #expect(works.status == 0, "stderr: \(works.stderr)")
        let refused = try await Bin.run(["ask", "--gateway", server.url, "--token", old, "--json", question])
        #expect(refused.status == 1)
    }
}
