import Core
import Foundation
import SQLiteStore

/// Progress of a running ingest, for a TTY progress line.
public struct IngestProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var documents: Int
    public var chunks: Int
    public var phase: String
}

/// What an ingest did.
public struct IngestSummary: Codable, Sendable {
    public var files = 0
    public var documents: Int
    public var added = 0
    public var replaced = 0
    public var unchanged = 0
    public var chunks = 0
    public var embedded = 0
    public var indexVersion: Int
    public var seconds: Double = 0
    /// Symbolic links met inside the folders given and not followed (see `DocumentLoader.walk`).
    public var skippedLinks: Int = 0
    /// Each skipped link and its target, for the warnings a command prints.
    public var skippedLinkDetails: [DocumentLoader.SkippedLink] = []
    /// The relevance gate's calibration this ingest made (nil: the corpus was unchanged and
    /// already calibrated, or calibration is off).
    public var calibration: GateCalibrationRecord? = nil

    enum CodingKeys: String, CodingKey {
        case files, documents, added, replaced, unchanged, chunks, embedded, seconds
        case indexVersion = "index_version"
        case skippedLinks = "skipped_links"
        case calibration = "gate_calibration"
    }
}

/// Receives newly written chunks after each committed batch (e.g. to embed and index them).
public protocol ChunkSink: Sendable {
    func indexChunks(_ chunks: [(chunk: Chunk, title: String)], documents: [Document]) async throws -> Int
    /// Called for documents whose chunks were replaced or removed, before new ones arrive.
    func removeDocuments(_ ids: [String]) async throws
}

/// Loads files, chunks documents and stores them; unchanged documents are skipped.
public struct Ingestor: Sendable {
    public var database: any Corpus
    public var chunker: Chunker
    public var sink: (any ChunkSink)?
    /// Documents per transaction: large enough to be fast, small enough to show progress.
    public var batchSize: Int
    /// Calibrates the relevance gate on the corpus once it is stored (`GateCalibration`), when
    /// the ingest changed it or it has no calibration for its index version; nil (the
    /// default): never. The pipeline does not use the calibration yet, so only
    /// `eval --calibrate` asks for it, rather than every ingest paying a few seconds.
    public var calibration: GateCalibration?

    public init(
        database: any Corpus, chunker: Chunker = Chunker(), sink: (any ChunkSink)? = nil, batchSize: Int = 200,
        calibration: GateCalibration? = nil
    ) {
        self.database = database
        self.chunker = chunker
        self.sink = sink
        self.batchSize = batchSize
        self.calibration = calibration
    }

    public func ingest(paths: [String], progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws -> IngestSummary {
        let started = Date()
        let (files, links) = try DocumentLoader.walk(paths)
        var docs: [Document] = []
        for (i, file) in files.enumerated() {
            let root = paths.first { file.hasPrefix($0) && file != $0 }
            docs += try DocumentLoader.load(file: file, root: root)
            progress?(IngestProgress(filesDone: i + 1, filesTotal: files.count, documents: docs.count, chunks: 0, phase: "reading"))
        }
        var summary = try await ingest(documents: docs, progress: progress)
        summary.files = files.count
        summary.skippedLinks = links.count
        summary.skippedLinkDetails = links
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Commits batch by batch, each in one transaction, so a failure (a full disk, say) keeps
    /// the batches before it and loses nothing else: running the same ingest again skips the
    /// committed documents as unchanged (same content hash) and writes the rest. The error
    /// thrown then says how far it got and that re-running resumes.
    public func ingest(documents: [Document], progress: (@Sendable (IngestProgress) -> Void)? = nil) async throws -> IngestSummary {
        let started = Date()
        var s = IngestSummary(documents: documents.count, indexVersion: try await database.indexVersion())
        for batch in documents.batches(of: batchSize) {
            let pairs = batch.map { (document: $0, chunks: chunker.chunks(for: $0)) }
            let result: (outcomes: [IngestOutcome], indexVersion: Int, newChunkIDs: [Int64])
            do { result = try await database.ingest(pairs) } catch {
                throw Self.stopped(error, committed: batch.startIndex, of: documents.count, summary: s, embedded: true)
            }
            for outcome in result.outcomes {
                switch outcome {
                case .added: s.added += 1
                case .replaced: s.replaced += 1
                case .unchanged: s.unchanged += 1
                }
            }
            let changedDocs = zip(batch, result.outcomes).filter { $0.1 != .unchanged }.map(\.0)
            s.chunks += result.newChunkIDs.count
            s.indexVersion = result.indexVersion
            if let sink, !changedDocs.isEmpty {
                do {
                    let replaced = zip(batch, result.outcomes).filter { $0.1 == .replaced }.map { $0.0.id }
                    if !replaced.isEmpty { try await sink.removeDocuments(replaced) }
                    let written = try await database.chunks(ids: result.newChunkIDs)
                    s.embedded += try await sink.indexChunks(written, documents: changedDocs)
                } catch {
                    throw Self.stopped(error, committed: batch.endIndex, of: documents.count, summary: s, embedded: false)
                }
            }
            progress?(IngestProgress(filesDone: 0, filesTotal: 0, documents: batch.endIndex, chunks: s.chunks, phase: "indexing"))
        }
        if let calibration {
            let stored = try await database.gateCalibration()
            if stored?.indexVersion != s.indexVersion {
                progress?(IngestProgress(filesDone: 0, filesTotal: 0, documents: documents.count, chunks: s.chunks, phase: "calibrating"))
                let record = try await calibration.run(corpus: database).record
                try await database.saveGateCalibration(record)
                s.calibration = record
            }
        }
        s.seconds = Date().timeIntervalSince(started)
        return s
    }

    /// The error of an ingest that stopped part way, with what was committed and how to resume.
    /// - Parameter embedded: false when the last committed batch's passages were not all embedded
    ///   (a re-run embeds them: passages without vectors are backfilled).
    static func stopped(_ error: any Error, committed: Int, of total: Int, summary s: IngestSummary, embedded: Bool) -> any Error {
        guard let e = error as? BedsideError else { return error }
        var note = " Ingest stopped: "
        if committed == 0 {
            note += "nothing was committed."
        } else {
            note += "the first \(committed) of \(total) documents were committed (\(s.added) added, \(s.replaced) replaced, \(s.unchanged) unchanged)"
            note += embedded ? "; the rest were not." : ", not all of the last batch's passages embedded; the rest were not."
        }
        note += " Run the same `bedside ingest` again to resume: committed documents are skipped as unchanged."
        if e.code == .database, e.message.hasSuffix(" is full.") { note += " Free some disk space first." }
        return BedsideError(e.code, e.message + note, detail: e.detail)
    }
}
