/// How the console was given its bearer token, so a message about a rejected token names
/// the place the user has to change (`--token-file alice.token`, not "--token or BEDSIDE_TOKEN").
public enum TokenSource: Sendable, Hashable {
    /// Minted by the embedded gateway for this session.
    case embedded
    /// `--token TOKEN` on the command line.
    case flag
    /// `--token-file PATH`.
    case file(String)
    /// The `BEDSIDE_TOKEN` variable.
    case environment

    /// The way the token was given, as the user typed it.
    public var label: String {
        switch self {
        case .embedded: "the embedded gateway"
        case .flag: "--token"
        case .file(let path): "--token-file \(path)"
        case .environment: "BEDSIDE_TOKEN"
        }
    }

    /// What to do about a rejected token given this way.
    public var remedy: String {
        switch self {
        case .embedded:
            "Quit and start `bedside` again: it mints a new token."
        case .file(let path):
            "Create a new one with `bedside token create --subject NAME --out FILE` on the gateway host, then start the console with --token-file FILE (\(path) holds the rejected one)."
        case .flag:
            "Create a new one with `bedside token create --subject NAME --out FILE` on the gateway host, then start the console with --token-file FILE."
        case .environment:
            "Create a new one with `bedside token create --subject NAME --out FILE` on the gateway host, then set BEDSIDE_TOKEN to it (or use --token-file FILE)."
        }
    }
}

/// How much of the embedded gateway's index is Bedside's demo corpus: while it answers,
/// the status bar says DEMO and the console says the content is not for clinical use.
public struct DemoCorpusShare: Sendable, Hashable {
    /// Documents of the demo corpus in the index.
    public var demoDocuments: Int
    /// All documents in the index.
    public var totalDocuments: Int

    public init(demoDocuments: Int, totalDocuments: Int) {
        self.demoDocuments = demoDocuments
        self.totalDocuments = totalDocuments
    }

    /// The notice shown inside the console.
    public var notice: String {
        let what =
            demoDocuments >= totalDocuments
            ? "The index holds only Bedside's demo corpus (\(demoDocuments) documents)"
            : "The index includes Bedside's demo corpus (\(demoDocuments) of \(totalDocuments) documents)"
        return what + ": demo content written for software testing, not for clinical use. Add your own sources with `bedside ingest PATH`."
    }
}
