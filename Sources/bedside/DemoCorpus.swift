import Core
import Foundation
import Inference
import SQLiteStore
import TUI

/// Finds the demo corpus shipped with Bedside and ingests it into an empty index.
enum DemoCorpus {
    /// `$BEDSIDE_DEMO_CORPUS`, then `../share/bedside/demo` beside the binary (where
    /// scripts/bootstrap.sh installs it), then a `corpus/demo` folder above the binary (a
    /// source checkout), then in the working folder.
    static func location() -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = CommandSettings.value(CommandSettings.demoCorpus) { candidates.append(env) }
        let exe = executableURL().resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(exe.appendingPathComponent("../share/bedside/demo").standardized.path)
        var dir = exe
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("corpus/demo").path)
            dir = dir.deletingLastPathComponent()
        }
        candidates.append(fm.currentDirectoryPath + "/corpus/demo")
        return candidates.first {
            var d: ObjCBool = false
            return fm.fileExists(atPath: $0, isDirectory: &d) && d.boolValue
        }
    }

    /// The running binary's own path. `argv[0]` is only what the shell typed (`bedside`
    /// when it was found on the PATH, which would resolve against the working folder), so
    /// the kernel's `/proc/self/exe` comes first, then Foundation's view, then `argv[0]`.
    static func executableURL() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
            return URL(fileURLWithPath: path)
        }
        if let url = Bundle.main.executableURL { return url }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }

    /// Ingests the demo corpus when the database has no documents.
    static func ingestIfEmpty(_ db: BedsideDatabase, sink: (any ChunkSink)?) async throws {
        guard try await db.counts().documents == 0 else { return }
        guard let path = location() else {
            throw BedsideError(.ingest, "The index is empty and the demo corpus was not found. Run `bedside ingest PATH` or set BEDSIDE_DEMO_CORPUS.")
        }
        Terminal.progress("Index is empty: ingesting the demo corpus from \(path)…")
        let summary = try await Ingestor(database: db, sink: sink).ingest(paths: [path]) { p in
            Terminal.progress("Ingesting demo corpus: \(p.documents) documents, \(p.chunks) passages…")
        }
        Terminal.endProgress()
        Terminal.error(
            "Ingested the demo corpus from \(path): \(summary.documents) documents, \(summary.chunks) passages (demo content, not for clinical use)."
        )
    }
}

extension DemoCorpus {
    /// Largest index checked document by document; a bigger one is checked only for the
    /// demo corpus's own document ids.
    static let shareScanLimit = 64

    /// How many of the index's documents are the demo corpus's, told by the disclaimer every
    /// demo document opens with (`> Demo content written by the Bedside team…`), which the
    /// loader keeps as `disclaimer` metadata. Nil when the index holds none.
    static func share(in db: BedsideDatabase) async -> DemoCorpusShare? {
        guard let list = try? await db.documentList(), !list.isEmpty else { return nil }
        var candidates = list.map(\.id)
        if candidates.count > shareScanLimit {
            let ids = demoDocumentIDs()
            candidates = candidates.filter(ids.contains)
        }
        var demo = 0
        for id in candidates {
            guard let document = try? await db.document(id: id), case .string(let note)? = document.metadata["disclaimer"] else { continue }
            if note.lowercased().contains("demo content") { demo += 1 }
        }
        return demo == 0 ? nil : DemoCorpusShare(demoDocuments: demo, totalDocuments: list.count)
    }

    /// The document ids the demo corpus's files get when ingested (file names without extension).
    static func demoDocumentIDs() -> Set<String> {
        guard let path = location(), let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return Set(names.map { ($0 as NSString).deletingPathExtension })
    }
}
