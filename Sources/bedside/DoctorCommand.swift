import ArgumentParser
import Core
import Foundation
import Inference
import Store

/// `bedside doctor`: checks each configured component and says plainly what works.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, the database, the LLM, the embedding server and Qdrant.",
        discussion: """
            One line per component: ok, not configured (Bedside works without it: BM25, \
            extractive answers, the embedded index), or FAILED with the reason.

            Components come from $XDG_CONFIG_HOME/bedside/config.toml and the BEDSIDE_* \
            environment variables (BEDSIDE_LLM_URL, BEDSIDE_EMBED_URL, BEDSIDE_QDRANT_URL \
            and the others in the README). Secrets are never printed; `bedside config` \
            shows every effective setting and where it came from.

            Exit status: 0 when everything configured works, 1 otherwise.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Seconds each network check may take.", valueName: "seconds"))
    var timeout: Double = 10

    @Flag(help: "Print the checks as JSON: {\"ok\": bool, \"checks\": [{\"component\", \"status\", \"message\"}]}.")
    var json = false

    func run() async throws {
        let checks: [DoctorCheck]
        do {
            // The whole layer, so an unknown key in any section (a typo in [gateway]) is reported here too.
            let config = try BedsideConfig(layers: Settings.layers())
            let http = BedsideHTTPClient.make(connectTimeoutSeconds: max(1, Int64(min(timeout, config.timeouts.connect).rounded(.up))))
            checks =
                await Doctor(
                    config: config, databasePath: database.path, httpClient: http,
                    timeout: .milliseconds(Int64(max(0.1, timeout) * 1000))
                ).run() + ReplicaReport.checks()
            try? await http.shutdown()
        } catch let error as BedsideError {
            // An unreadable or invalid config file is itself the finding.
            checks = [DoctorCheck(component: "config", status: .failed, message: error.message)]
        }
        let ok = checks.allSatisfy(\.ok)
        if json {
            let obj: JSONValue = .object([
                "ok": .bool(ok),
                "checks": .array(
                    checks.map {
                        .object([
                            "component": .string($0.component), "status": .string($0.status.rawValue),
                            "message": .string($0.message),
                        ])
                    }),
            ])
            print(String(decoding: try WireCoding.encoder(pretty: true).encode(obj), as: UTF8.self))
        } else {
            let width = checks.map(\.component.count).max() ?? 0
            for c in checks {
                let status = c.status == .failed ? "FAILED" : c.status.rawValue
                print(c.component.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + status + ": " + c.message)
            }
            print(ok ? "Everything configured works." : "Something configured does not work (see FAILED above).")
        }
        if !ok { throw ExitCode(1) }
    }
}
