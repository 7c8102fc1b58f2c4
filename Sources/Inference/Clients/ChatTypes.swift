/// One message of a chat completion request.
public struct ChatMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: String
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
}

/// Token counts a server reports with `stream_options.include_usage`.
public struct ChatUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

extension ChatUsage {
    /// Missing counts are 0 (a missing total is the sum); in an extension, so the memberwise init stays.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try c.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens + completionTokens
    }
}

/// How a streamed completion ended.
public struct ChatCompletionEnd: Sendable, Hashable {
    /// `stop`, `length`, … as the server said; nil when it never said.
    public var finishReason: String?
    public var usage: ChatUsage?
    /// The model id the server reported in its chunks.
    public var model: String?
    /// True when the stream stopped before the server finished it (no `[DONE]` and no
    /// `finish_reason`: the server died, the connection dropped, or the total timeout hit):
    /// the text is partial.
    public var incomplete = false
    /// Why it is incomplete, for logs.
    public var detail: String?
    /// Seconds from the request to the first content token, and to the end.
    public var firstTokenSeconds: Double?
    public var totalSeconds: Double = 0
}

/// What a streamed completion yields: text deltas, then exactly one `end`.
public enum ChatStreamEvent: Sendable, Hashable {
    case delta(String)
    case end(ChatCompletionEnd)
}

/// Timeouts of one streamed completion.
public struct ChatTimeouts: Sendable, Hashable {
    /// Until the response headers arrive.
    public var connect: Duration
    /// From the request until the first content token (prompt processing happens here).
    public var firstToken: Duration
    /// The whole completion; reaching it mid-stream ends the answer as incomplete.
    public var total: Duration

    public init(connect: Duration = .seconds(10), firstToken: Duration = .seconds(60), total: Duration = .seconds(180)) {
        self.connect = connect
        self.firstToken = firstToken
        self.total = total
    }
}
