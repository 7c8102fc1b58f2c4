/// What the gateway last said about the console's token. `/readyz` needs no token, so the
/// background probe also reads one history entry (an authenticated, unaudited request) now
/// and then: a revoked or expired token shows in the status bar before the next question.
enum TokenCheck: Hashable, Sendable {
    /// Not asked since start, or since the gateway was last unreachable.
    case unchecked
    case accepted
    /// 401: the gateway's reason (revoked, expired, bad signature…).
    case rejected(reason: String)

    var isRejected: Bool {
        if case .rejected = self { return true }
        return false
    }
}
