import Core
import Foundation

/// The end of the audit chain as the store records it, written in the same transaction as
/// every append (`audit_head` on both stores). A deleted tail leaves the head pointing past
/// the last row; a rewritten chain leaves the head's hash different from the last row's.
public struct AuditHead: Sendable, Hashable {
    public var lastID: Int64
    public var lastHash: String

    public init(lastID: Int64, lastHash: String) {
        self.lastID = lastID
        self.lastHash = lastHash
    }

    /// The empty chain's head.
    public static let start = AuditHead(lastID: 0, lastHash: "")

    /// `rows` chained after this head, in order, as both stores write them: each record made
    /// `storable()` and given its id (dense after `lastID`), its link and its hash; with the
    /// head that follows them.
    public func chaining(_ rows: [AuditRow]) -> (rows: [AuditRow], head: AuditHead) {
        var head = self
        let chained = rows.map { row in
            var r = row.record.storable()
            r.id = head.lastID + 1
            r.prevHash = head.lastHash
            r.hash = r.chainHash(id: head.lastID + 1, previous: head.lastHash, sourcesJSON: row.sources)
            head = AuditHead(lastID: head.lastID + 1, lastHash: r.hash)
            return AuditRow(record: r, sources: row.sources)
        }
        return (chained, head)
    }
}

/// What a whole-chain check found when nothing was wrong.
public struct AuditChainSummary: Sendable, Hashable {
    /// Rows checked.
    public var rows: Int
    public var lastID: Int64
    public var lastHash: String
    /// Checkpoints the chain was compared with (all matched).
    public var checkpoints: Int
    /// Whether the store keeps a head record (an SQLite file not yet migrated has none).
    public var headChecked: Bool
}

/// The one audit chain check, shared by the SQLite and PostgreSQL stores so both report the
/// same breaks in the same words; a store only reads its rows (oldest first) and its head
/// record in one snapshot. It checks:
/// - a gap in the ids: the missing rows are named (ids are dense on both stores);
/// - a link or a hash that does not match: the first such row is named (an edited row);
/// - at the end, each signed checkpoint's last row must still exist with the hash it had when
///   the checkpoint was written (else rows were deleted, or rewritten and rehashed);
/// - and the head record must name the last row and its hash (else the tail was deleted,
///   or the chain rewritten without moving the head).
public struct AuditChainWalk: Sendable {
    private var previousID: Int64 = 0
    private var previousHash = ""
    private var rows = 0
    private let checkpoints: [AuditCheckpoint]
    /// The hash each checkpoint's last row has now, once the walk has passed it.
    private var seen: [Int64: String] = [:]
    private let wanted: Set<Int64>
    /// The first break met; the rows after it are not checked (`finish` throws it).
    public private(set) var broken: AuditChainBreak?

    /// - Parameter checkpoints: checkpoints whose signatures were already checked.
    public init(checkpoints: [AuditCheckpoint] = []) {
        self.checkpoints = checkpoints.sorted { $0.lastID < $1.lastID }
        self.wanted = Set(checkpoints.map(\.lastID))
    }

    /// Checks the next row (ids ascending), with its sources as stored; after the first break
    /// it checks nothing more, so a store streaming its rows may read them to the end.
    public mutating func visit(_ row: AuditRow) {
        guard broken == nil else { return }
        do { try check(row.record, sourcesJSON: row.sources) } catch { broken = error }
    }

    private mutating func check(_ record: AuditRecord, sourcesJSON: String) throws(AuditChainBreak) {
        let id = record.id ?? 0
        let before = previousID == 0 ? "the start of the trail" : "row \(previousID)"
        if id > previousID + 1 {
            throw AuditChainBreak(
                rowID: previousID + 1, reason: "\(Self.rows(previousID + 1, id - 1)) missing (deleted): row \(id) follows \(before)")
        }
        if record.prevHash != previousHash {
            throw AuditChainBreak(rowID: id, reason: "its link does not match \(before) (a row was removed, inserted or edited)")
        }
        if record.chainHash(id: id, previous: previousHash, sourcesJSON: sourcesJSON) != record.hash {
            throw AuditChainBreak(rowID: id, reason: "its content does not match its hash (the row was edited)")
        }
        if wanted.contains(id) { seen[id] = record.hash }
        previousID = id
        previousHash = record.hash
        rows += 1
    }

    /// Compares the end of the walk with the checkpoints and the head (nil: the store keeps
    /// none, as in an SQLite file not yet migrated). Throws naming the first missing or
    /// rewritten row.
    public func finish(head: AuditHead?, headMissing: Bool = false) throws -> AuditChainSummary {
        if let broken { throw broken }
        for cp in checkpoints where cp.lastID > 0 {
            let recorded = "the checkpoint of \(cp.at) recorded \(cp.rows) rows ending at row \(cp.lastID)"
            if cp.lastID > previousID {
                if rows == 0 { throw AuditChainBreak(rowID: 1, reason: "every row is missing (deleted): \(recorded)") }
                throw AuditChainBreak(
                    rowID: previousID + 1, reason: "\(Self.rows(previousID + 1, cp.lastID)) missing at the end (deleted): \(recorded)")
            }
            if seen[cp.lastID] != cp.lastHash {
                let earlier = checkpoints.last { $0.lastID < cp.lastID && seen[$0.lastID] == $0.lastHash }?.lastID ?? 0
                throw AuditChainBreak(
                    rowID: earlier + 1,
                    reason:
                        "the trail was rewritten between rows \(earlier + 1) and \(cp.lastID): row \(cp.lastID)'s hash differs from \(recorded) (rows edited and rehashed)"
                )
            }
        }
        if headMissing {
            throw AuditChainBreak(
                rowID: previousID + 1, reason: "the chain head record was removed, so a deleted tail cannot be ruled out")
        }
        if let head {
            if head.lastID > previousID {
                let recorded = "the chain head records \(head.lastID) as the last row"
                if rows == 0 { throw AuditChainBreak(rowID: 1, reason: "every row is missing (deleted): \(recorded)") }
                throw AuditChainBreak(
                    rowID: previousID + 1, reason: "\(Self.rows(previousID + 1, head.lastID)) missing at the end (deleted): \(recorded)")
            }
            if head.lastID < previousID {
                throw AuditChainBreak(
                    rowID: head.lastID + 1,
                    reason: "\(Self.rows(head.lastID + 1, previousID)) beyond the chain head (row \(head.lastID)): written outside Bedside")
            }
            if head.lastHash != previousHash {
                throw AuditChainBreak(
                    rowID: previousID,
                    reason: "its hash differs from the chain head's: the trail was rewritten (rows edited and rehashed)")
            }
        }
        return AuditChainSummary(
            rows: rows, lastID: previousID, lastHash: previousHash, checkpoints: checkpoints.count, headChecked: head != nil)
    }

    /// "row 7 is" or "rows 7-9 are".
    static func rows(_ first: Int64, _ last: Int64) -> String {
        first == last ? "row \(first) is" : "rows \(first)-\(last) are"
    }
}
