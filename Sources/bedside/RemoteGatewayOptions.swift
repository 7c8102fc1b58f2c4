import APIClient
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
        try CommandSettings.value(CommandSettings.caCert, flag: caCert).map(Self.checkedCACertificate)
    }

    /// `path` with `~` expanded, checked now to hold a PEM certificate (not at the first request).
    static func checkedCACertificate(_ path: String) throws -> String {
        let expanded = (path as NSString).expandingTildeInPath
        _ = try GatewayTLS.clientConfiguration(caCertificatePath: expanded)
        return expanded
    }

    /// The token for `--gateway` and how it was given (named when the gateway rejects it):
    /// `--token`, else `--token-file`, else `BEDSIDE_TOKEN`; nil when none is given.
    func givenToken() throws -> (token: String, source: TokenSource)? {
        if let token { return (token, .flag) }
        if let tokenFile { return (try Self.readTokenFile(tokenFile), .file(tokenFile)) }
        return CommandSettings.value(CommandSettings.token).map { ($0, .environment) }
    }

    /// The token for `--gateway` and how it was given; none given is a clear error.
    func resolvedTokenAndSource() throws -> (token: String, source: TokenSource) {
        guard let given = try givenToken() else {
            throw BedsideError(.badRequest, "--gateway needs a token: --token-file, BEDSIDE_TOKEN or --token (mint one with `bedside token create`).")
        }
        return given
    }

    /// Runs `body` with the gateway at `url` and this workstation's replica of it
    /// (`ReplicaOptions.replica`), shutting the HTTP client down on every path.
    func withGateway<T>(
        _ url: String, replica options: ReplicaOptions, isolation: isolated (any Actor)? = #isolation,
        _ body: (ReplicatingGateway, LazyReplica?) async throws -> T
    ) async throws -> T {
        let token = try resolvedTokenAndSource().token
        let replica = try await options.replica(gatewayURL: url, token: token)
        return try await Self.withClient(url, token: token, caCertificatePath: try resolvedCACertificate()) { client in
            try await body(ReplicatingGateway(client: client, replica: replica), replica)
        }
    }

    /// Runs `body` with a client of the gateway at `url` (trusting `caCertificatePath` too),
    /// shutting its HTTP client down on every path.
    static func withClient<T>(
        _ url: String, token: String, caCertificatePath: String? = nil, isolation: isolated (any Actor)? = #isolation,
        _ body: (GatewayClient) async throws -> T
    ) async throws -> T {
        let http = GatewayClient.makeHTTPClient(caCertificatePath: caCertificatePath)
        return try await withCleanup {
            try await body(GatewayClient(baseURL: url, token: token, httpClient: http))
        } cleanup: {
            try? await http.shutdown()
        }
    }

    /// The payload of a JWT, read without verifying it (the gateway verifies).
    static func claims(ofToken token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var b64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
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
