import Core
import Crypto
import Foundation

/// One audit row: who asked what, when, and what they were shown.
///
/// Rows are append-only (triggers refuse UPDATE and DELETE) and chained: `hash` is the
/// SHA-256 of the previous row's hash and this row's content, so an edited, removed or
/// reordered row breaks the chain at that row (`AuditChainWalk`).
public struct AuditRecord: Codable, Sendable, Hashable {
    public var id: Int64?
    public var at: Date
    public var requestID: String?
    public var subject: String
    public var question: String
    public var answerID: String?
    /// Cited document ids with chunk ids, `doc#chunk`.
    public var sources: [String]
    public var model: String
    public var indexVersion: Int
    public var cached: Bool
    public var stale: Bool
    public var refused: Bool
    /// `answered`, `refused`, `error:<code>`, `incomplete`, `replay`, `streaming` (a stream
    /// opened; a later row with `ref_id` completes it), `disconnected` (the client went away).
    public var outcome: String
    /// For a row that completes another (a stream's outcome): that row's id.
    public var refID: Int64?
    /// Free-form facts about the outcome, e.g. how many answer bytes a disconnected client was sent.
    public var detail: String
    /// The chain: the previous row's hash and this row's (hex SHA-256); set when written.
    public var prevHash: String
    public var hash: String

    public init(
        id: Int64? = nil, at: Date = Date(), requestID: String? = nil, subject: String, question: String, answerID: String?,
        sources: [String], model: String, indexVersion: Int, cached: Bool = false, stale: Bool = false, refused: Bool = false,
        outcome: String = "answered", refID: Int64? = nil, detail: String = "", prevHash: String = "", hash: String = ""
    ) {
        self.id = id
        self.at = at
        self.requestID = requestID
        self.subject = subject
        self.question = question
        self.answerID = answerID
        self.sources = sources
        self.model = model
        self.indexVersion = indexVersion
        self.cached = cached
        self.stale = stale
        self.refused = refused
        self.outcome = outcome
        self.refID = refID
        self.detail = detail
        self.prevHash = prevHash
        self.hash = hash
    }

    enum CodingKeys: String, CodingKey {
        case id, at, subject, question, sources, model, cached, stale, refused, outcome, detail, hash
        case requestID = "request_id"
        case answerID = "answer_id"
        case indexVersion = "index_version"
        case refID = "ref_id"
        case prevHash = "prev_hash"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        at = try c.decode(Date.self, forKey: .at)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        subject = try c.decode(String.self, forKey: .subject)
        question = try c.decode(String.self, forKey: .question)
        answerID = try c.decodeIfPresent(String.self, forKey: .answerID)
        sources = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        indexVersion = try c.decodeIfPresent(Int.self, forKey: .indexVersion) ?? 0
        cached = try c.decodeIfPresent(Bool.self, forKey: .cached) ?? false
        stale = try c.decodeIfPresent(Bool.self, forKey: .stale) ?? false
        refused = try c.decodeIfPresent(Bool.self, forKey: .refused) ?? false
        outcome = try c.decodeIfPresent(String.self, forKey: .outcome) ?? ""
        refID = try c.decodeIfPresent(Int64.self, forKey: .refID)
        detail = try c.decodeIfPresent(String.self, forKey: .detail) ?? ""
        prevHash = try c.decodeIfPresent(String.self, forKey: .prevHash) ?? ""
        hash = try c.decodeIfPresent(String.self, forKey: .hash) ?? ""
    }

    /// The audit record for an answer shown to `subject`.
    public init(answer: Answer, subject: String, requestID: String?) {
        self.init(
            requestID: requestID, subject: subject, question: answer.question, answerID: answer.answerID,
            sources: answer.citations.map { "\($0.sourceID)#\($0.chunkID)" }, model: answer.model,
            indexVersion: answer.indexVersion, cached: answer.cached, stale: answer.stale, refused: answer.refused,
            outcome: answer.refused ? "refused" : (answer.incomplete ? "incomplete" : "answered"))
    }

    /// The record as SQLite can keep it: a NUL would cut a text column short (strings are
    /// bound as C strings), so it is stored as U+FFFD, before hashing, so the hash and the
    /// stored row always agree. The gateway refuses such questions before they get here.
    public func storable() -> AuditRecord {
        func clean(_ s: String) -> String { s.utf8.contains(0) ? s.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : s }
        var r = self
        r.subject = clean(subject)
        r.question = clean(question)
        r.requestID = requestID.map(clean)
        r.answerID = answerID.map(clean)
        r.model = clean(model)
        r.outcome = clean(outcome)
        r.detail = clean(detail)
        r.sources = sources.map(clean)
        return r
    }

    /// What the chain hashes for this row: every column but the hashes, in a fixed order,
    /// each length-prefixed so no two different rows spell the same bytes.
    func canonicalContent(id: Int64, sourcesJSON: String) -> [UInt8] {
        let fields: [String] = [
            String(id), String(at.timeIntervalSince1970.bitPattern), requestID ?? "\u{1}", subject, question, answerID ?? "\u{1}",
            sourcesJSON, model, String(indexVersion), cached ? "1" : "0", stale ? "1" : "0", refused ? "1" : "0", outcome,
            refID.map(String.init) ?? "\u{1}", detail,
        ]
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.utf8.count + 6 })
        for f in fields {
            out.append(contentsOf: String(f.utf8.count).utf8)
            out.append(0x3A)
            out.append(contentsOf: f.utf8)
        }
        return out
    }

    /// `hash` for this row after `previous`.
    public func chainHash(id: Int64, previous: String, sourcesJSON: String) -> String {
        var h = SHA256()
        h.update(data: Array(previous.utf8))
        h.update(data: [0x0A])
        h.update(data: canonicalContent(id: id, sourcesJSON: sourcesJSON))
        return Self.hex(h.finalize())
    }

    @usableFromInline static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex (`String(format:)` per byte cost a fifth of the cached path's CPU).
    /// Inlinable so that callers in other modules (cache keys, on every request) get it
    /// specialised for their digest type instead of walking a generic sequence.
    @inlinable public static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in digest {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Which audit rows to read.
public struct AuditQuery: Sendable, Hashable {
    public var since: Date?
    public var until: Date?
    public var subject: String?
    /// Newest first with a limit (the `bedside audit` table), or oldest first without (exports).
    public var limit: Int?

    public init(since: Date? = nil, until: Date? = nil, subject: String? = nil, limit: Int? = nil) {
        self.since = since
        self.until = until
        self.subject = subject
        self.limit = limit
    }
}

/// Where the audit chain first breaks.
public struct AuditChainBreak: Sendable, Hashable, Error {
    public var rowID: Int64
    public var reason: String
}

/// A record waiting to be chained, with its sources already as the JSON the chain hashes.
public struct AuditRow: Sendable {
    public var record: AuditRecord
    public var sources: String

    public init(record: AuditRecord, sources: String) {
        self.record = record
        self.sources = sources
    }

    /// `record` with `sourcesJSON(record.sources)`.
    public init(_ record: AuditRecord) throws {
        self.init(record: record, sources: try Self.sourcesJSON(record.sources))
    }

    /// The sources as the chain hashes and both stores keep them: a JSON array, keys sorted.
    public static func sourcesJSON(_ sources: [String]) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(sources), as: UTF8.self)
    }
}
