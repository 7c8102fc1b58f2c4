/// The pieces of a streamed answer, in order: `citations` first, then `delta`s of answer
/// text, then one `done` with the complete `Answer` (or one `error`).
///
/// The `delta`s carry checked text only and concatenate exactly to the `done` answer's
/// `answer`: a model's text is sent sentence by sentence as the citation check passes it
/// (see `SentenceGate`), never a word the answer then drops.
///
/// On the wire each is one server-sent event whose `event:` is the case name and whose
/// `data:` is the JSON of its payload.
public enum AnswerEvent: Sendable, Hashable {
    case citations([Citation])
    case delta(String)
    case done(Answer)
    case error(BedsideError)

    public var name: String {
        switch self {
        case .citations: "citations"
        case .delta: "delta"
        case .done: "done"
        case .error: "error"
        }
    }
}

/// Payload of a `delta` event.
public struct DeltaPayload: Codable, Sendable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
}

/// Payload of a `citations` event.
public struct CitationsPayload: Codable, Sendable, Hashable {
    public var citations: [Citation]
    public init(citations: [Citation]) { self.citations = citations }
}
