import ArgumentParser
import Core
import Foundation
import LocalGateway

/// `--gateway URL` and `--token`: talk to a running gateway instead of an embedded one.
struct RemoteGatewayOptions: ParsableArguments {
    @Option(name: .customLong("gateway"), help: ArgumentHelp("Use a running gateway instead of the embedded one.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Bearer token for --gateway (or BEDSIDE_TOKEN).", valueName: "token"))
    var token: String?

    @Option(name: .customLong("cacert"), help: ArgumentHelp("PEM file of the CA that signed an https:// gateway's certificate (or BEDSIDE_CACERT).", valueName: "file"))
    var caCert: String?

    /// `--cacert` or `BEDSIDE_CACERT`, checked to hold a PEM certificate; nil means the system's roots.
    func resolvedCACertificate() throws -> String? {
        guard let path = caCert ?? ProcessInfo.processInfo.environment["BEDSIDE_CACERT"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        let expanded = (path as NSString).expandingTildeInPath
        _ = try GatewayTLS.clientConfiguration(caCertificatePath: expanded)
        return expanded
    }

    /// The token for `--gateway`, from the flag or `BEDSIDE_TOKEN`.
    func resolvedToken() throws -> String {
        guard let t = token ?? ProcessInfo.processInfo.environment["BEDSIDE_TOKEN"] else {
            throw BedsideError(.badRequest, "--gateway needs a token: --token or BEDSIDE_TOKEN (mint one with `bedside token create`).")
        }
        return t
    }
}
