import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

/// Ingest never loses data silently (issue 19, finding 7): NUL characters are refused with
/// the file and line, links in a folder are not followed out of it, and a full disk stops
/// with what was committed and a re-run that resumes.
@Suite("Ingest refuses what it would lose")
struct IngestSafetyTests {
    @Test(arguments: ["id", "title", "text"])
    func aNULInAJSONLFieldRefusesTheFileWithItsLine(_ field: String) throws {
        var fields = ["id": "drug-adult", "title": "Drug (adult)", "text": "Adult dose."]
        fields[field] = "drug\u{0}-adult"
        let second = try JSONSerialization.data(withJSONObject: fields)
        let data = Data(#"{"id":"other","text":"Other."}"#.utf8) + Data("\n".utf8) + second + Data("\n".utf8)
        #expect {
            try DocumentLoader.parseJSONL(data, file: "c.jsonl")
        } throws: { error in
            let message = (error as? BedsideError)?.message ?? ""
            return message.contains("c.jsonl:2") && message.contains("the \(field) contains a NUL")
        }
        // A raw NUL byte (not valid JSON anyway) is named as such.
        let raw = Data(#"{"id":"a","text":"x"#.utf8) + Data([0]) + Data(#""}"#.utf8)
        #expect { try DocumentLoader.parseJSONL(raw, file: "r.jsonl") } throws: {
            ($0 as? BedsideError)?.message.contains("r.jsonl:1: a raw NUL byte") == true
        }
    }

    @Test func idsThatDifferOnlyAfterANULNoLongerMergeInTheDatabase() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let corpus = try bed.write(
            "drugs.jsonl",
            #"{"id":"drug\u0000-adult","title":"Adult","text":"Adult dose 1 g."}"# + "\n"
                + #"{"id":"drug\u0000-child","title":"Child","text":"Child dose 15 mg/kg."}"# + "\n")
        await #expect(throws: BedsideError.self) { try await Ingestor(database: bed.db).ingest(paths: [corpus]) }
        #expect(try await bed.db.counts().documents == 0) // refused whole, nothing half-written
        // The store refuses such a document too, whoever builds it.
        let doc = Document(id: "drug\u{0}-adult", title: "Adult", text: "Adult dose.")
        await #expect(throws: BedsideError.self) { try await bed.db.ingest([(document: doc, chunks: Chunker().chunks(for: doc))]) }
    }

    @Test func aNULByteInATextFileIsRefusedWithItsOffset() throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let path = try bed.write("note.md", "# Title\nfirst line\nsecond \u{0} rest that would be lost\n")
        #expect {
            try DocumentLoader.load(file: path)
        } throws: { error in
            let message = (error as? BedsideError)?.message ?? ""
            return message.contains("note.md:3") && message.contains("byte offset 26")
        }
    }

    @Test func linksInAFolderAreSkippedNotFollowedOutOfIt() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let outside = try bed.write("outside/secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
        _ = try bed.write("notes/a.md", "# Sepsis\nGive fluids.\n")
        _ = try bed.write("notes/sub/b.md", "# Asthma\nGive salbutamol.\n")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: bed.dir + "/notes/passwd.txt", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: bed.dir + "/notes/elsewhere", withDestinationPath: bed.dir + "/outside")
        try fm.createSymbolicLink(atPath: bed.dir + "/notes/again.md", withDestinationPath: "a.md")
        let walked = try DocumentLoader.walk([bed.dir + "/notes"])
        #expect(walked.files == [bed.dir + "/notes/a.md", bed.dir + "/notes/sub/b.md"])
        #expect(walked.skippedLinks.map { ($0.link as NSString).lastPathComponent } == ["again.md", "elsewhere", "passwd.txt"])
        #expect(walked.skippedLinks.map(\.outside) == [false, true, true])
        #expect(walked.skippedLinks.last?.target == outside)

        let summary = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        #expect(summary.documents == 2 && summary.skippedLinks == 3)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        #expect(json?["skipped_links"] as? Int == 3)
        #expect(try await bed.db.documentList().map(\.title).sorted() == ["Asthma", "Sepsis"])
        // A link named on the command line is the user's choice, and is read.
        #expect(try DocumentLoader.walk([bed.dir + "/notes/passwd.txt"]).files.count == 1)
    }

    /// SQLite's `max_page_count` on the writer connection gives a real SQLITE_FULL, as a
    /// full disk does, at a deterministic point.
    @Test func aFullDiskStopsWithWhatWasCommittedAndARerunResumes() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let body = String(repeating: "Noradrenaline is titrated to a mean arterial pressure of 65 mmHg. ", count: 120)
        let docs = (0..<12).map { i in Document(id: "d\(i)", title: "Document \(i)", text: "# Document \(i)\n\n\(i) \(body)") }
        let pages = try await bed.db.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await bed.db.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = \(pages + 40)") }
        let ingestor = Ingestor(database: bed.db, batchSize: 2)
        var message = ""
        do {
            _ = try await ingestor.ingest(documents: docs)
            Issue.record("the ingest should have filled the database")
        } catch let error as BedsideError {
            message = error.message
        }
        #expect(message.contains("is full"), "\(message)")
        #expect(message.contains("Run the same `bedside ingest` again to resume"), "\(message)")
        let committed = try await bed.db.counts().documents
        #expect(committed > 0 && committed < docs.count)
        #expect(message.contains("the first \(committed) of \(docs.count) documents were committed"), "\(message)")

        try await bed.db.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA max_page_count = 1073741823") }
        let again = try await ingestor.ingest(documents: docs)
        #expect(again.unchanged == committed)
        #expect(again.added == docs.count - committed)
        #expect(try await bed.db.counts().documents == docs.count)
        for doc in docs { #expect(try await bed.db.document(id: doc.id)?.text == doc.text) }
    }
}
