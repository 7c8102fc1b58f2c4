/// A message for the status line (export path, errors), cleared after a while.
struct StatusMessage: Hashable, Sendable {
    var text: String
    var isError: Bool
    /// The tick count when it was shown.
    var shownAt: Int
}
