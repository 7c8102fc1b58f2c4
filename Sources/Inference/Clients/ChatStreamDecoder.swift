import Core
import Foundation

/// Decodes the server-sent events of a streamed chat completion (OpenAI's
/// `chat.completion.chunk` objects): bytes in, content deltas and the end state out.
///
/// Pure and incremental, so it is tested with the stream cut at every byte.
public struct ChatStreamDecoder: Sendable {
    private var sse = ServerSentEventParser()
    public private(set) var sawDone = false
    public private(set) var finishReason: String?
    public private(set) var usage: ChatUsage?
    public private(set) var model: String?
    /// The content received so far.
    public private(set) var text = ""
    /// An error object the server sent inside the stream.
    public private(set) var serverError: String?

    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                var content: String?
            }
            var delta: Delta?
            var finish_reason: String?
        }
        var model: String?
        var choices: [Choice]?
        var usage: ChatUsage?
        var error: JSONValue?
    }

    /// Feeds received bytes; returns the content deltas completed by them (empty deltas dropped).
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [String] where Bytes.Element == UInt8 {
        var out: [String] = []
        for event in sse.feed(bytes) {
            if let d = handle(event) { out.append(d) }
        }
        return out
    }

    /// True once the server has said the completion is over.
    public var isFinished: Bool { sawDone || serverError != nil }

    /// True when the stream ended properly: `[DONE]` or a `finish_reason` was seen.
    public var isComplete: Bool { sawDone || finishReason != nil }

    private mutating func handle(_ event: ServerSentEvent) -> String? {
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" {
            sawDone = true
            return nil
        }
        if data.isEmpty || sawDone { return nil }
        guard let chunk = try? JSONDecoder().decode(Chunk.self, from: Data(data.utf8)) else {
            return nil // keep-alives and unknown events are not fatal
        }
        if let e = chunk.error {
            if case .object(let o) = e { serverError = o["message"]?.textValue ?? "\(e)" } else { serverError = e.textValue ?? "\(e)" }
            return nil
        }
        if let m = chunk.model, !m.isEmpty { model = m }
        if let u = chunk.usage { usage = u }
        var delta: String?
        if let choice = chunk.choices?.first {
            if let r = choice.finish_reason, !r.isEmpty { finishReason = r }
            if let c = choice.delta?.content, !c.isEmpty {
                delta = c
                text += c
            }
        }
        return delta
    }
}
