import Foundation

/// One server-sent event.
public struct ServerSentEvent: Sendable, Hashable {
    public var event: String?
    public var data: String
    public var id: String?
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// The wire form, ending with the blank line. Multi-line data becomes several `data:` lines.
    public var encoded: String {
        var out = ""
        if let id { out += "id: \(id)\n" }
        if let event { out += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { out += "data: \(line)\n" }
        return out + "\n"
    }
}

/// An incremental parser for `text/event-stream` (WHATWG HTML § server-sent events).
///
/// Feed it bytes as they arrive, split anywhere (even inside a UTF-8 sequence or a CRLF);
/// it returns the events completed so far. Lines end in LF, CR or CRLF; lines starting
/// with `:` are comments; an event is dispatched at a blank line; a field without a colon
/// has an empty value; one leading space after the colon is dropped; a UTF-8 byte order mark
/// at the very start of the stream is skipped.
public struct ServerSentEventParser: Sendable {
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// Bytes of a leading BOM matched so far; nil once the stream start is behind us.
    private var bomMatched: Int? = 0
    private var buffer: [UInt8] = []
    private var lastWasCR = false
    private var event: String?
    private var data: [String] = []
    private var id: String?
    private var hasData = false

    public init() {}

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ServerSentEvent] where Bytes.Element == UInt8 {
        var out: [ServerSentEvent] = []
        for b in bytes {
            if let matched = bomMatched {
                if b == Self.byteOrderMark[matched] {
                    bomMatched = matched + 1 == Self.byteOrderMark.count ? nil : matched + 1
                    continue
                }
                // Not a BOM after all: the bytes matched so far are ordinary text (never CR/LF).
                buffer.append(contentsOf: Self.byteOrderMark[..<matched])
                bomMatched = nil
            }
            if lastWasCR {
                lastWasCR = false
                if b == 0x0A { continue } // CRLF: the CR already ended the line
            }
            if b == 0x0A || b == 0x0D {
                lastWasCR = b == 0x0D
                if let e = line(buffer) { out.append(e) }
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(b)
            }
        }
        return out
    }

    public mutating func feed(_ text: String) -> [ServerSentEvent] { feed(Array(text.utf8)) }

    /// Bytes received after the last complete line (a truncated stream leaves them here).
    public var hasPartialEvent: Bool { !buffer.isEmpty || hasData || (bomMatched ?? 0) > 0 }

    private mutating func line(_ bytes: [UInt8]) -> ServerSentEvent? {
        if bytes.isEmpty {
            defer {
                event = nil
                data = []
                hasData = false
            }
            guard hasData else {
                event = nil
                return nil
            }
            return ServerSentEvent(event: event, data: data.joined(separator: "\n"), id: id)
        }
        if bytes.first == 0x3A { return nil } // comment
        let text = String(decoding: bytes, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        case "id": if !value.contains("\0") { id = String(value) }
        default: break // `retry` and unknown fields are ignored
        }
        return nil
    }
}

extension AnswerEvent {
    static let encoder = WireCoding.encoder(.event)

    /// This event as a server-sent event (`event: delta`, `data: {"text":"…"}`).
    public func serverSentEvent() -> ServerSentEvent {
        let data: Data?
        switch self {
        case .citations(let c): data = try? Self.encoder.encode(CitationsPayload(citations: c))
        case .delta(let t): data = try? Self.encoder.encode(DeltaPayload(text: t))
        case .done(let a): data = try? Self.encoder.encode(a)
        case .error(let e): data = try? Self.encoder.encode(ErrorEnvelope(error: e))
        }
        return ServerSentEvent(event: name, data: data.map { String(decoding: $0, as: UTF8.self) } ?? "{}")
    }

    /// Decodes a server-sent event produced by `serverSentEvent()`; nil for unknown event names.
    public init?(_ sse: ServerSentEvent) throws {
        let d = WireCoding.decoder()
        let bytes = Data(sse.data.utf8)
        switch sse.event {
        case "citations": self = .citations(try d.decode(CitationsPayload.self, from: bytes).citations)
        case "delta": self = .delta(try d.decode(DeltaPayload.self, from: bytes).text)
        case "done": self = .done(try d.decode(Answer.self, from: bytes))
        case "error": self = .error(try d.decode(ErrorEnvelope.self, from: bytes).error)
        default: return nil
        }
    }
}
