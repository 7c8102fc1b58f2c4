import Core
import Foundation
import SQLiteStore
import Testing

@testable import Inference

@Suite("Embedded pipeline: retrieval, extractive answers, refusal")
struct PipelineTests {
    func bedWithNotes() async throws -> TestBed {
        let bed = try TestBed()
        _ = try bed.write("notes/sepsis.md", TestBed.sepsisNote)
        _ = try bed.write("notes/asthma.md", TestBed.asthmaNote)
        _ = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        return bed
    }

    @Test func answersWithCitationsThatPointAtRetrievedPassages() async throws {
        let bed = try await bedWithNotes()
        defer { bed.cleanup() }
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "What is the first-line fluid bolus in septic shock?"))
        #expect(!answer.refused)
        #expect(answer.answer.contains("30 mL/kg"))
        #expect(answer.answer.contains("[1]"))
        #expect(!answer.citations.isEmpty)
        #expect(answer.citations.first?.sourceID == "sepsis")
        for s in answer.sentences {
            #expect(!s.citations.isEmpty)
            for n in s.citations { #expect(answer.citations.contains { $0.n == n }) }
        }
        // Every cited passage is real: its offsets find its text in the stored document.
        for c in answer.citations {
            let doc = try #require(try await bed.db.document(id: c.sourceID))
            #expect(doc.text.utf8Slice(c.start, c.end) == c.text)
        }
        #expect(answer.indexVersion == 1)
        #expect(answer.retriever == "bm25")
        #expect(answer.model == "extractive")
    }

    @Test func refusesWhenTheSourcesDoNotSupportAnAnswer() async throws {
        let bed = try await bedWithNotes()
        defer { bed.cleanup() }
        let answer = try await Pipeline(database: bed.db).complete(QueryRequest(question: "Who won the 1998 World Cup?"))
        #expect(answer.refused)
        #expect(answer.citations.isEmpty)
        #expect(answer.answer.contains("do not answer"))
    }

    @Test func refusesOnAnEmptyIndexAndOnPunctuationOnly() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        let p = Pipeline(database: bed.db)
        #expect(try await p.complete(QueryRequest(question: "sepsis?")).refused)
        #expect(try await p.complete(QueryRequest(question: "?!*")).refused)
    }

    @Test func streamsCitationsThenDeltasThenDone() async throws {
        let bed = try await bedWithNotes()
        defer { bed.cleanup() }
        var names: [String] = []
        var text = ""
        for try await e in Pipeline(database: bed.db).answer(QueryRequest(question: "salbutamol dose in acute asthma")) {
            names.append(e.name)
            if case .delta(let d) = e { text += d }
            if case .done(let a) = e { #expect(a.answer == text) }
        }
        #expect(names.first == "citations")
        #expect(names.last == "done")
        #expect(names.contains("delta"))
    }

    @Test func invalidRequestsThrowBadRequest() async throws {
        let bed = try TestBed()
        defer { bed.cleanup() }
        await #expect { try await Pipeline(database: bed.db).complete(QueryRequest(question: "x", topK: 0)) } throws: {
            ($0 as? BedsideError)?.code == .badRequest
        }
    }

    @Test func reingestingUnchangedFilesDoesNothing() async throws {
        let bed = try await bedWithNotes()
        defer { bed.cleanup() }
        let again = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        #expect(again.unchanged == 2)
        #expect(again.chunks == 0)
        #expect(again.indexVersion == 1)
        _ = try bed.write("notes/asthma.md", TestBed.asthmaNote + "\nGive magnesium sulfate 2 g IV over 20 minutes in severe asthma.\n")
        let changed = try await Ingestor(database: bed.db).ingest(paths: [bed.dir + "/notes"])
        #expect(changed.replaced == 1)
        #expect(changed.unchanged == 1)
        #expect(changed.indexVersion == 2)
        #expect(try await bed.db.chunks(documentID: "asthma").contains { $0.text.contains("magnesium") })
    }
}
