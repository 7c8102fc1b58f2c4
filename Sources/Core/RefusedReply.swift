extension BedsideError {
    /// The `detail` that marks a refused reply (see `refusedReply`).
    static let refusedReplyDetail = "refused reply"

    /// An upstream peer's reply the gateway refuses to read or check: over a cap on its size,
    /// or carrying numbers JSON cannot (NaN, infinity). The peer answered, wrongly: a 502
    /// `upstream_error`, not an outage (503), and the same reply would be refused again.
    public static func refusedReply(_ message: String) -> BedsideError {
        BedsideError(.upstream, message, detail: refusedReplyDetail)
    }

    /// Whether this is a peer's reply the gateway refused (`refusedReply`).
    public var isRefusedReply: Bool { code == .upstream && detail == Self.refusedReplyDetail }
}
