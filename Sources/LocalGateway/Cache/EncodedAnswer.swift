import Core
import Foundation
import NIOCore

/// A cached answer's JSON, encoded once when the answer enters the hot cache.
///
/// The bytes are those of the answer as a cache hit serves it (`cached` true, `stale`
/// false) with two holes: the answer id (each subject is shown the id of their own record
/// of the answer) and `latency_ms` (measured per request). Encoding a cited answer costs
/// more than the rest of a cache hit; filling two holes costs two copies.
struct EncodedAnswer: Sendable {
    private enum Hole: Sendable { case answerID, latency }

    /// Text before the first hole, between the holes, after the second.
    private let parts: [[UInt8]]
    private let holes: [Hole]

    /// Stand-ins no answer contains, whose JSON spellings are unambiguous.
    private static let idPlaceholder = "bedside-answer-id-0c6f1e2d"
    private static let latencyPlaceholder = 424_242_424.25

    /// nil when the answer's JSON cannot be cut (a placeholder found twice, say): such an
    /// answer is encoded whole on each hit.
    init?(_ stored: Answer) throws {
        var probe = stored
        probe.cached = true
        probe.stale = false
        probe.answerID = Self.idPlaceholder
        probe.latencyMS = Self.latencyPlaceholder
        let bytes = Array(try JSONCoding.encoder.encode(probe))
        let idMarker = Array(#""answer_id":""#.utf8) + Array(Self.idPlaceholder.utf8)
        let latencyValue = Array(try JSONCoding.encoder.encode(Self.latencyPlaceholder))
        let latencyMarker = Array(#""latency_ms":"#.utf8) + latencyValue
        guard let id = Self.single(idMarker, in: bytes), let latency = Self.single(latencyMarker, in: bytes),
            Self.single(Array(Self.idPlaceholder.utf8), in: bytes) != nil, Self.single(latencyValue, in: bytes) != nil
        else { return nil }
        let idHole = (id.upperBound - Self.idPlaceholder.utf8.count)..<id.upperBound
        let latencyHole = (latency.upperBound - latencyValue.count)..<latency.upperBound
        let (first, second) = idHole.lowerBound < latencyHole.lowerBound ? (idHole, latencyHole) : (latencyHole, idHole)
        parts = [Array(bytes[..<first.lowerBound]), Array(bytes[first.upperBound..<second.lowerBound]), Array(bytes[second.upperBound...])]
        holes = idHole.lowerBound < latencyHole.lowerBound ? [.answerID, .latency] : [.latency, .answerID]
    }

    /// The body for this answer served with `answerID` after `latencyMS`; nil when the id
    /// needs JSON escaping (ids are UUIDs, so never in practice).
    func body(answerID: String, latencyMS: Double) -> ByteBuffer? {
        guard answerID.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") })
        else { return nil }
        let latency = Self.spell(latencyMS)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(parts[0].count + parts[1].count + parts[2].count + answerID.utf8.count + latency.count)
        buffer.writeBytes(parts[0])
        for (i, hole) in holes.enumerated() {
            switch hole {
            case .answerID: buffer.writeString(answerID)
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
