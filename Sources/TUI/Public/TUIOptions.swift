import APIClient
import Core

/// How the `bedside` executable configures the console.
public struct TUIOptions: Sendable {
    /// The gateway's base URL (`http://127.0.0.1:8787`); the TUI talks to nothing else.
    public var gatewayURL: String
    /// Bearer token for the gateway.
    public var token: String
    /// No colour: `--no-color`, or what `usesColor(environment:)` says (the command folds it in).
    public var noColor: Bool
    /// `--screen-reader`: a linear layout without box drawing, with text labels.
    public var screenReader: Bool
    /// Shown in the status bar until the gateway reports its own.
    public var model: String
    public var indexName: String
    /// Where `e` writes Markdown exports (created when missing).
    public var exportDirectory: String
    /// The workstation replica for a remote gateway: what was received is kept there and
    /// replayed from it when the gateway cannot be reached. Nil for the embedded gateway.
    public var replica: (any AnswerReplica)?
    /// `--cacert`: PEM file of the CA(s) to trust for an `https://` gateway.
    public var caCertificatePath: String?
    /// How the token was given, named when the gateway rejects it.
    public var tokenSource: TokenSource = .embedded
    /// Set when the embedded gateway's index holds the demo corpus (DEMO in the status bar).
    public var demoCorpus: DemoCorpusShare?
    /// `[console] trace` (`BEDSIDE_TUI_TRACE`): a file for benchmark timing marks (`TUITrace`); nil records nothing.
    public var tracePath: String?

    public init(
        gatewayURL: String, token: String, noColor: Bool = false, screenReader: Bool = false,
        model: String = "", indexName: String = "", exportDirectory: String = ".", replica: (any AnswerReplica)? = nil
    ) {
        self.replica = replica
        self.gatewayURL = gatewayURL
        self.token = token
        self.noColor = noColor
        self.screenReader = screenReader
        self.model = model
        self.indexName = indexName
        self.exportDirectory = exportDirectory
    }

    /// Whether to use colour: not with `--no-color`, not when `NO_COLOR` is set to anything
    /// non-empty (no-color.org), not on a dumb terminal. The command passes the environment in;
    /// NO_COLOR and TERM are the terminal's conventions, not Bedside settings, so no registry key.
    public func usesColor(environment: [String: String]) -> Bool {
        if noColor { return false }
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return true
    }

    var statusInfo: StatusInfo {
        StatusInfo(
            gateway: GatewayClient.displayAddress(baseURL: gatewayURL), model: model,
            indexName: indexName, indexVersion: nil, screenReader: screenReader, tokenSource: tokenSource, demoCorpus: demoCorpus)
    }
}
