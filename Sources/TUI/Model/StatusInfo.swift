/// The fixed facts shown in the status bar.
struct StatusInfo: Hashable, Sendable {
    /// The gateway as shown (`127.0.0.1:8787`).
    var gateway: String
    var model: String
    /// The index's name, when the caller knows one (`demo`).
    var indexName: String
    /// Index version reported by `/readyz` or the last answer.
    var indexVersion: Int?
    /// Linear layout without box drawing, with text labels.
    var screenReader: Bool

    /// `demo v3`, `v3`, `demo` or `?`.
    var indexLabel: String {
        let version = indexVersion.map { "v\($0)" }
        return [indexName.isEmpty ? nil : indexName, version].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "?"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
