import ArgumentParser
import Core
import Foundation
import LocalGateway
import TUI

/// `--gateway URL` and `--token`: talk to a running gateway instead of an embedded one.
struct RemoteGatewayOptions: ParsableArguments {
    @Option(name: .customLong("gateway"), help: ArgumentHelp("Use a running gateway instead of the embedded one.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Bearer token for --gateway (visible in `ps`: prefer --token-file or BEDSIDE_TOKEN).", valueName: "token"))
    var token: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp("Read the bearer token for --gateway from this file (keeps it out of `ps`).", valueName: "path"))
    var tokenFile: String?

    @Option(
        name: .customLong("cacert"),
        help: ArgumentHelp("PEM file of the CA that signed an https:// gateway's certificate (or BEDSIDE_CACERT).", valueName: "file"))
    var caCert: String?

    /// `--cacert` or `BEDSIDE_CACERT`, checked to hold a PEM certificate; nil means the system's roots.
    func resolvedCACertificate() throws -> String? {
        guard let path = CommandSettings.value(CommandSettings.caCert, flag: caCert) else { return nil }
        let expanded = (path as NSString).expandingTildeInPath
        _ = try GatewayTLS.clientConfiguration(caCertificatePath: expanded)
        return expanded
    }

    /// The token for `--gateway`: `--token`, else `--token-file`, else `BEDSIDE_TOKEN`.
    func resolvedToken() throws -> String {
        if let token { return token }
        if let tokenFile { return try Self.readTokenFile(tokenFile) }
        guard let t = CommandSettings.value(CommandSettings.token) else {
            throw BedsideError(.badRequest, "--gateway needs a token: --token-file, BEDSIDE_TOKEN or --token (mint one with `bedside token create`).")
        }
        return t
    }

    /// The token and how it was given (named when the gateway rejects it), in the same order.
    func resolvedTokenAndSource() throws -> (token: String, source: TokenSource) {
        let token = try resolvedToken()
        if self.token != nil { return (token, .flag) }
        if let tokenFile { return (token, .file(tokenFile)) }
        return (token, .environment)
    }

    /// The first line of a token file, trimmed; a missing, empty or huge file is a clear error.
    static func readTokenFile(_ path: String) throws -> String {
        let expanded = (path as NSString).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw BedsideError(.badRequest, "Cannot read the token file \(path).")
        }
        guard data.count <= 64 * 1024 else { throw BedsideError(.badRequest, "The token file \(path) is too large to hold a token.") }
        let text = String(decoding: data, as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !line.isEmpty else { throw BedsideError(.badRequest, "The token file \(path) is empty.") }
        return line
    }
}
