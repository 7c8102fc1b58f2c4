import Core
import Hummingbird

/// Server-sent events on the wire, in Core's format (`event: <name>`, `data: <json>`).
enum SSEWire {
    static func buffer(_ events: [AnswerEvent]) -> ByteBuffer {
        var text = ""
        for e in events { text += e.serverSentEvent().encoded }
        return ByteBuffer(string: text)
    }

    /// A failed write to the client, kept apart from inference failures.
    struct WriteFailure: Error {
        var underlying: any Error
    }
}

extension ResponseBodyWriter {
    /// Sends events, tagging a failure as the client's connection rather than inference.
    mutating func send(_ events: [AnswerEvent]) async throws {
        do { try await write(SSEWire.buffer(events)) } catch { throw SSEWire.WriteFailure(underlying: error) }
    }

    /// Ends the body, tagging a failure like `send`.
    mutating func end() async throws {
        do { try await finish(nil) } catch { throw SSEWire.WriteFailure(underlying: error) }
    }
}

/// Hands the answer stream from the handler, which reads the first event to choose the
/// status, to the response-body writer, which reads the rest. An actor, so the compiler
/// checks the hand-over; its hop per event is small beside a model's token.
actor AnswerEventSource {
    private var iterator: AsyncThrowingStream<AnswerEvent, any Error>.AsyncIterator

    init(_ stream: AsyncThrowingStream<AnswerEvent, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    func next() async throws -> AnswerEvent? {
        var it = iterator // an actor's stored property cannot be mutated across an await
        defer { iterator = it }
        return try await it.next(isolation: self)
    }
}
