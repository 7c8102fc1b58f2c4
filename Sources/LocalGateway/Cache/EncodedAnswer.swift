import Core
import Foundation
import NIOCore

/// A cached answer's JSON, encoded once when the answer enters the hot cache.
///
/// The bytes are those of the answer as a cache hit serves it (`cached` true, `stale`
/// false) with four holes, for what is not the same for every asker: the answer id, the
/// question and `created_at` (each subject is shown their own record of the answer: its id,
/// the words they sent and when it was made for them, never another subject's), and
/// `latency_ms` (measured per request). Encoding a cited answer costs more than the rest of
/// a cache hit; filling four holes costs four copies.
struct EncodedAnswer: Sendable {
    private enum Hole: Sendable { case answerID, question, createdAt, latency }

    /// Text before the first hole, between the holes, after the last.
    private let parts: [[UInt8]]
    private let holes: [Hole]

    /// Stand-ins no answer contains, whose JSON spellings are unambiguous.
    private static let idPlaceholder = "bedside-answer-id-0c6f1e2d"
    private static let questionPlaceholder = "bedside-question-5b1d9a7e"
    private static let createdAtPlaceholder = Date(timeIntervalSince1970: 4_102_444_799)
    private static let latencyPlaceholder = 424_242_424.25

    /// What an answer shows of its asker's own record, spelled as JSON values once (when the
    /// record is first known), so a hit only copies them.
    struct Asker: Sendable, Hashable {
        /// The question as a JSON string, quotes included.
        var question: [UInt8]
        /// `created_at` as a JSON value.
        var createdAt: [UInt8]

        init(question: String, createdAt: Date) throws {
            self.question = Array(try JSONCoding.encoder.encode(question))
            self.createdAt = Array(try JSONCoding.encoder.encode(createdAt))
        }
    }

    /// nil when the answer's JSON cannot be cut (a placeholder found twice, say): such an
    /// answer is encoded whole on each hit.
    init?(_ stored: Answer) throws {
        var probe = stored
        probe.cached = true
        probe.stale = false
        probe.answerID = Self.idPlaceholder
        probe.question = Self.questionPlaceholder
        probe.createdAt = Self.createdAtPlaceholder
        probe.latencyMS = Self.latencyPlaceholder
        let bytes = Array(try JSONCoding.encoder.encode(probe))
        let placeholders = try Asker(question: Self.questionPlaceholder, createdAt: Self.createdAtPlaceholder)
        let id = Array(Self.idPlaceholder.utf8)
        let latency = Array(try JSONCoding.encoder.encode(Self.latencyPlaceholder))
        // Each value, found once, right after its key: the hole is the value alone.
        let wanted: [(Hole, key: String, value: [UInt8])] = [
            (.answerID, #""answer_id":""#, id), (.question, #""question":"#, placeholders.question),
            (.createdAt, #""created_at":"#, placeholders.createdAt), (.latency, #""latency_ms":"#, latency),
        ]
        var found: [(Hole, Range<Int>)] = []
        for (hole, key, value) in wanted {
            guard let at = Self.single(Array(key.utf8) + value, in: bytes), Self.single(value, in: bytes) != nil else { return nil }
            found.append((hole, (at.upperBound - value.count)..<at.upperBound))
        }
        found.sort { $0.1.lowerBound < $1.1.lowerBound }
        var parts: [[UInt8]] = []
        var start = 0
        for (_, range) in found {
            parts.append(Array(bytes[start..<range.lowerBound]))
            start = range.upperBound
        }
        parts.append(Array(bytes[start...]))
        self.parts = parts
        self.holes = found.map(\.0)
    }

    /// The body for this answer served to `asker` as their record `answerID` after
    /// `latencyMS`; nil when the id needs JSON escaping (ids are UUIDs, so never in practice).
    func body(answerID: String, asker: Asker, latencyMS: Double) -> ByteBuffer? {
        guard answerID.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") })
        else { return nil }
        let latency = Self.spell(latencyMS)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(
            parts.reduce(0) { $0 + $1.count } + answerID.utf8.count + asker.question.count + asker.createdAt.count + latency.count)
        buffer.writeBytes(parts[0])
        for (i, hole) in holes.enumerated() {
            switch hole {
            case .answerID: buffer.writeString(answerID)
            case .question: buffer.writeBytes(asker.question)
            case .createdAt: buffer.writeBytes(asker.createdAt)
            case .latency: buffer.writeBytes(latency)
            }
            buffer.writeBytes(parts[i + 1])
        }
        return buffer
    }

    /// A latency spelled as `JSONEncoder` spells a `Double` (whole numbers without a
    /// fraction, others as their shortest description); the tests compare the two.
    static func spell(_ value: Double) -> [UInt8] {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return Array(String(Int64(value)).utf8) }
        return Array(value.description.utf8)
    }

    /// The range of the only occurrence of `needle`, or nil (none, or more than one).
    private static func single(_ needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
        guard let range = bytes.firstRange(of: needle), bytes[range.upperBound...].firstRange(of: needle) == nil else { return nil }
        return range
    }
}
