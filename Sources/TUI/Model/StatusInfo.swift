/// The fixed facts shown in the status bar.
struct StatusInfo: Hashable, Sendable {
    /// The gateway as shown (`127.0.0.1:8787`).
    var gateway: String
    /// Empty until the caller or the gateway names one.
    var model: String
    /// The index's name, when the caller knows one (`demo`).
    var indexName: String
    /// Index version reported by `/readyz` or the last answer.
    var indexVersion: Int?
    /// Linear layout without box drawing, with text labels.
    var screenReader: Bool
    /// How the token was given, for the message when the gateway rejects it.
    var tokenSource: TokenSource = .embedded
    /// The demo corpus's share of the index, when it has one (DEMO in the status bar).
    var demoCorpus: DemoCorpusShare?

    /// `demo v3`, `v3`, `demo`, or empty when nothing is known yet.
    var indexLabel: String {
        let version = indexVersion.map { "v\($0)" }
        return [indexName.isEmpty ? nil : indexName, version].compactMap { $0 }.joined(separator: " ")
    }
}
