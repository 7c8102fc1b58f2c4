import Core

/// Decodes the `text/event-stream` body of `POST /v1/query` into answer events, from bytes
/// split anywhere. It knows whether the stream ended properly (with `done` or `error`), so
/// a cut stream is reported instead of passing for a complete answer.
struct AnswerStreamDecoder: Sendable {
    private var parser = ServerSentEventParser()
    private(set) var finished = false

    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws -> [AnswerEvent] where Bytes.Element == UInt8 {
        var out: [AnswerEvent] = []
        for sse in parser.feed(bytes) {
            let event: AnswerEvent?
            do {
                event = try AnswerEvent(sse)
            } catch {
                throw BedsideError(
                    .upstream, "The gateway sent an answer event Bedside cannot read.",
                    detail: "\(sse.event ?? "message"): \(error)")
            }
            guard let event else { continue } // unknown event names (keep-alives) are skipped
            switch event {
            case .done, .error: finished = true
            default: break
            }
            out.append(event)
        }
        return out
    }

    /// Call at the end of the body: throws when no final event arrived.
    func finish() throws {
        guard finished else {
            throw BedsideError(.upstream, "The answer stream ended before the answer was complete.")
        }
    }
}
