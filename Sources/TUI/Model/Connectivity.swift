/// Whether answers can come from live inference, as last seen by a `/readyz` check or a
/// query result.
enum Connectivity: Hashable, Sendable {
    case unknown
    case online
    /// Inference (or the gateway itself) is unreachable; cached answers may still be served.
    case offline(reason: String)

    var isOffline: Bool {
        if case .offline = self { return true }
        return false
    }
}
