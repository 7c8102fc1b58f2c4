import ArgumentParser
import Core
import Foundation

/// `--gateway URL` and `--token`: talk to a running gateway instead of an embedded one.
struct RemoteGatewayOptions: ParsableArguments {
    @Option(name: .customLong("gateway"), help: ArgumentHelp("Use a running gateway instead of the embedded one.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Bearer token for --gateway (or BEDSIDE_TOKEN).", valueName: "token"))
    var token: String?

    /// The token for `--gateway`, from the flag or `BEDSIDE_TOKEN`.
    func resolvedToken() throws -> String {
        guard let t = token ?? ProcessInfo.processInfo.environment["BEDSIDE_TOKEN"] else {
            throw BedsideError(.badRequest, "--gateway needs a token: --token or BEDSIDE_TOKEN (mint one with `bedside token create`).")
        }
        return t
    }
}
