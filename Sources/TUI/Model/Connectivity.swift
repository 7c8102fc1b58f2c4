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

/// The fixed facts shown in the status bar.
struct StatusInfo: Hashable, Sendable {
    var gateway: String
    var model: String
    var index: String
    var screenReader: Bool
}

/// A message for the status line (export path, errors), cleared after a while.
struct StatusMessage: Hashable, Sendable {
    var text: String
    var isError: Bool
    /// The tick count when it was shown.
    var shownAt: Int
}
