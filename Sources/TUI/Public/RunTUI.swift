import APIClient
import AsyncHTTPClient
import Foundation

/// Why the console could not start.
public enum TUIError: Error, CustomStringConvertible, Sendable {
    case notATerminal

    public var description: String { "The console needs an interactive terminal; use `bedside ask` in scripts and pipes." }
}

/// Runs the console until the user quits (or SIGTERM/SIGHUP), then restores the terminal.
/// The terminal is restored on every exit path: quit, thrown error, signal.
///
/// - Throws: `TUIError.notATerminal` when stdin or stdout is not a terminal; errors from
///   curses initialisation.
@MainActor
public func runTUI(options: TUIOptions) async throws {
    guard isatty(0) == 1, isatty(1) == 1 else { throw TUIError.notATerminal }
    let http = GatewayClient.makeHTTPClient(caCertificatePath: options.caCertificatePath)
    let client = GatewayClient(baseURL: options.gatewayURL, token: options.token, httpClient: http)
    // The command folded `NO_COLOR` and `TERM=dumb` into `noColor` (`usesColor`): no environment is read here.
    let runtime = TUIRuntime(
        options: options, client: client, terminal: CursesTerminal(), color: !options.noColor,
        trace: TUITrace(path: options.tracePath))
    do {
        try await runtime.run()
    } catch {
        try? await http.shutdown()
        throw error
    }
    try? await http.shutdown()
}
