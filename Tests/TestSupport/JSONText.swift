import Core

/// JSON request bodies built without a throwing encoder (the escaping is Core's `JSONText`).
extension JSONText {
    /// The body of `POST /v1/query`: `{"question":…}`, with `top_k` when given.
    public static func query(_ question: String, topK: Int? = nil) -> String {
        "{\"question\":\(quoted(question))" + (topK.map { ",\"top_k\":\($0)" } ?? "") + "}"
    }
}
