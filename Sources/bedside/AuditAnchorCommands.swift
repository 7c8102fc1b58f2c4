import ArgumentParser
import Core
import Foundation
import SQLiteStore
import SharedState

/// The audit trail (`--db`, `--store`) and `--key`, shared by `audit verify` and `audit
/// checkpoint`: signed checkpoints (`--checkpoints` / `--out`) and the key that signs them
/// are kept beside the SQLite database unless given (`AuditCheckpointKey`).
struct CheckpointFileOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var store: StoreOptions

    @Option(
        help: ArgumentHelp(
            "HMAC key that signs checkpoints (default: audit-checkpoint.key beside the database, created 0600 by the first checkpoint).",
            valueName: "file"))
    var key: String?

    var keyPath: String {
        key.map { ($0 as NSString).expandingTildeInPath } ?? AuditCheckpointKey.beside(database.path, AuditCheckpointKey.fileName)
    }

    func checkpointsPath(_ given: String?) -> String {
        given.map { ($0 as NSString).expandingTildeInPath } ?? AuditCheckpointKey.beside(database.path, AuditCheckpointKey.checkpointsFileName)
    }
}

/// Verifies the chain against its head and the checkpoints in `path` (when the file exists,
/// or always when `required`), printing what broke on stderr and exiting 1.
private func verifyAnchored(
    store: any GatewayStateStore, checkpointsPath path: String, required: Bool, keyPath: String
) async throws -> (summary: AuditChainSummary, checkpoints: [AuditCheckpoint]) {
    var checkpoints: [AuditCheckpoint] = []
    if required || FileManager.default.fileExists(atPath: path) {
        do {
            checkpoints = try AuditCheckpoint.load(path: path, key: try AuditCheckpointKey.load(path: keyPath, create: false))
        } catch let e as AuditCheckpointError {
            FileHandle.standardError.write(Data("audit checkpoints not trustworthy: \(e.message)\n".utf8))
            throw ExitCode(1)
        }
    }
    do {
        return (try await store.verifyAuditChain(against: checkpoints), checkpoints)
    } catch let e as AuditChainBreak {
        FileHandle.standardError.write(Data("audit chain broken at row \(e.rowID): \(e.reason)\n".utf8))
        throw ExitCode(1)
    }
}

extension AuditCommand {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the audit trail's hash chain, its head and signed checkpoints; exit 1 naming the first bad or missing row.",
            discussion: """
                Finds an edited row, rows deleted in the middle (a gap in the ids), rows deleted at the end or all of \
                them (the chain head records more), and, with checkpoints from `bedside audit checkpoint`, a chain \
                rewritten and rehashed before the last checkpoint, or a checkpoint whose signature is bad.
                """)

        @OptionGroup var trail: CheckpointFileOptions

        @Option(
            help: ArgumentHelp(
                "Signed checkpoints to compare with (default: audit-checkpoints.jsonl beside the database, when it exists).",
                valueName: "file"))
        var checkpoints: String?

        func run() async throws {
            try await reportingErrors {
                let db = try await trail.store.open(database: trail.database)
                let path = trail.checkpointsPath(checkpoints)
                let (summary, used) = try await verifyAnchored(store: db, checkpointsPath: path, required: checkpoints != nil, keyPath: trail.keyPath)
                var line = "audit chain ok: \(summary.rows) rows verified"
                if summary.headChecked { line += ", head at row \(summary.lastID)" }
                if !used.isEmpty { line += ", \(used.count) signed checkpoints match (\(path))" }
                print(line)
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Verify the audit trail, then append a signed checkpoint of its end (rows, last id and hash, time) to a file.",
            discussion: """
                The checkpoint is one JSON line, signed with HMAC-SHA256 under a key kept outside the database \
                (--key). Keep the file, or copies of it, where whoever can write the database cannot: `bedside audit \
                verify --checkpoints FILE` then finds rows deleted or rewritten before the last checkpoint.
                """)

        @OptionGroup var trail: CheckpointFileOptions

        @Option(
            help: ArgumentHelp(
                "File to append the checkpoint to, created 0600 (default: audit-checkpoints.jsonl beside the database).",
                valueName: "file"))
        var out: String?

        func run() async throws {
            try await reportingErrors {
                let db = try await trail.store.open(database: trail.database)
                let path = trail.checkpointsPath(out)
                let key = try AuditCheckpointKey.load(path: trail.keyPath, create: trail.key == nil)
                // Never sign a broken chain: the checkpoint would bless the damage.
                let (summary, _) = try await verifyAnchored(store: db, checkpointsPath: path, required: false, keyPath: trail.keyPath)
                let checkpoint = AuditCheckpoint(summary: summary, store: db.stateDescription, at: Date(), key: key)
                try checkpoint.append(to: path)
                print("checkpoint written to \(path): \(summary.rows) rows, last row \(summary.lastID), hash \(summary.lastHash.prefix(16))")
            }
        }
    }
}
