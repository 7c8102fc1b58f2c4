import Core
import Foundation
import Hummingbird

/// JSON of cached answers, kept so that a cache hit does not encode the whole answer again.
///
/// The answer is encoded once (per answer id and stale flag) with a placeholder latency;
/// each response splices the measured `latency_ms` in. Encoding a cited answer costs more
/// than the rest of a cache hit, and the bytes are the same every time but for that number.
final class EncodedAnswerCache: Sendable {
    private struct Template: Sendable {
        var prefix: [UInt8]
        var suffix: [UInt8]
    }

    /// A latency no request measures, whose JSON spelling is unambiguous.
    private static let placeholder = 424_242_424.25
    private static let placeholderBytes: [UInt8] = (try? Array(JSONCoding.encoder.encode(placeholder))) ?? Array(String(placeholder).utf8)
    private let templates = Locked<[String: Template]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The JSON body for a cached (or stale) answer.
    func body(for answer: Answer) throws -> ByteBuffer {
        guard let id = answer.answerID, capacity > 0 else { return ByteBuffer(bytes: try JSONCoding.encoder.encode(answer)) }
        let key = answer.stale ? id + "|stale" : id
        let template = try templates.withLock { $0[key] } ?? makeTemplate(answer, key: key)
        guard let template else { return ByteBuffer(bytes: try JSONCoding.encoder.encode(answer)) }
        let latency = Self.spell(answer.latencyMS)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(template.prefix.count + latency.count + template.suffix.count)
        buffer.writeBytes(template.prefix)
        buffer.writeBytes(latency)
        buffer.writeBytes(template.suffix)
        return buffer
    }

    /// A latency spelled as `JSONEncoder` spells a `Double` (whole numbers without a
    /// fraction, others as their shortest description); the tests compare the two.
    static func spell(_ value: Double) -> [UInt8] {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return Array(String(Int64(value)).utf8) }
        return Array(value.description.utf8)
    }

    private func makeTemplate(_ answer: Answer, key: String) throws -> Template? {
        var probe = answer
        probe.latencyMS = Self.placeholder
        let bytes = Array(try JSONCoding.encoder.encode(probe))
        let marker = Array(#""latency_ms":"#.utf8) + Self.placeholderBytes
        guard let range = bytes.firstRange(of: marker), bytes[range.upperBound...].firstRange(of: Self.placeholderBytes) == nil else { return nil }
        let cut = range.upperBound - Self.placeholderBytes.count
        let template = Template(prefix: Array(bytes[..<cut]), suffix: Array(bytes[range.upperBound...]))
        templates.withLock { all in
            if all.count >= capacity { all.removeAll(keepingCapacity: true) }
            all[key] = template
        }
        return template
    }
}
