import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import Logging
import PostgresStore
import SQLiteStore

/// `bedside doctor`: checks each configured component and says plainly what works.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, the database, the shared store, the LLM, the embedding server and Qdrant.",
        discussion: """
            One line per component: ok, not configured (Bedside works without it: BM25, \
            extractive answers, the embedded index), or FAILED with the reason.

            Components come from $XDG_CONFIG_HOME/bedside/config.toml and the BEDSIDE_* \
            environment variables (BEDSIDE_LLM_URL, BEDSIDE_EMBED_URL, BEDSIDE_QDRANT_URL \
            and the others in the README). The shared store (`[store] url`, BEDSIDE_STORE_URL) \
            is connected to and probed with `SELECT 1`, its password hidden (connecting \
            applies the schema, as `serve` would). Secrets are never printed; `bedside config` \
            shows every effective setting and where it came from.

            With --gateway URL (and a token: --token-file F, --token or BEDSIDE_TOKEN; \
            --cacert F for a private CA), checks that gateway instead: reachability, TLS, \
            the server's Bedside version, inference, the token's expiry (read from the token) \
            and whether the gateway accepts it (a revoked token is refused there).

            Exit status: 0 when everything configured works, 1 otherwise.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Seconds each network check may take.", valueName: "seconds"))
    var timeout: Double = 10

    @OptionGroup var remote: RemoteGatewayOptions

    @Flag(help: "Print the checks as JSON: {\"ok\": bool, \"checks\": [{\"component\", \"status\", \"message\"}]}.")
    var json = false

    func run() async throws {
        if let url = remote.url {
            try report(await gatewayChecks(url))
        } else {
            try report(await localChecks())
        }
    }

    /// `--gateway URL`: the remote gateway and this token, not the local components.
    func gatewayChecks(_ url: String) async throws -> [DoctorCheck] {
        let token = try await reportingErrors { try remote.givenToken() }.map { (value: $0.token, source: $0.source.label) }
        let cacert = try await reportingErrors { try remote.resolvedCACertificate() }
        return await GatewayDoctor(url: url, token: token, caCertificatePath: cacert, timeout: timeout).run()
    }

    func localChecks() async throws -> [DoctorCheck] {
        // The shared store is read apart from the inference settings, so it is checked (and
        // shown, redacted) even when another setting is wrong.
        let store = await Self.storeCheck(timeout: timeout)
        do {
            // The whole layer, so an unknown key in any section (a typo in [gateway]) is reported here too.
            let config = try BedsideConfig(layers: Settings.layers())
            let http = BedsideHTTPClient.make(connectTimeoutSeconds: max(1, Int64(min(timeout, config.timeouts.connect).rounded(.up))))
            var components = await Doctor(
                config: config, databasePath: database.path, httpClient: http,
                timeout: .milliseconds(Int64(max(0.1, timeout) * 1000))
            ).run()
            components.insert(store, at: min(2, components.count))
            try? await http.shutdown()
            return components + ReplicaReport.checks()
        } catch let error as BedsideError {
            // An unreadable or invalid config file is itself the finding.
            let config = DoctorCheck(component: "config", status: .failed, message: error.message)
            return store.message == config.message ? [config] : [config, store]
        }
    }

    func report(_ checks: [DoctorCheck]) throws {
        let ok = checks.allSatisfy(\.ok)
        if json {
            // Keys come out sorted, as from any wire object.
            struct Report: Encodable {
                var ok: Bool
                var checks: [[String: String]]
            }
            let items = checks.map { ["component": $0.component, "status": $0.status.rawValue, "message": $0.message] }
            print(try Terminal.json(Report(ok: ok, checks: items)))
        } else {
            let width = checks.map(\.component.count).max() ?? 0
            for c in checks {
                let status = c.status == .failed ? "FAILED" : c.status.rawValue
                // A message may quote a server's reply: its controls are shown escaped, its URLs without passwords.
                let message = TerminalText.safe(SecretRedaction.redact(c.message))
                print(c.component.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + status + ": " + message)
            }
            print(ok ? "Everything configured works." : "Something configured does not work (see FAILED above).")
        }
        if !ok { throw ExitCode(1) }
    }

    /// `[store] url`: PostgreSQL connected to and probed with the gateway's readiness check
    /// (`SELECT 1`), never migrated, the URL shown with its password hidden whatever characters it holds.
    static func storeCheck(timeout: Double) async -> DoctorCheck {
        let url: String?
        do {
            url = try GatewayConfiguration(layers: Settings.layers()).storeURL
        } catch {
            return DoctorCheck(component: "store", status: .failed, message: SecretRedaction.redact((error as? BedsideError)?.message ?? "\(error)"))
        }
        guard let url else {
            return DoctorCheck(
                component: "store", status: .notConfigured,
                message: "shared state stays in the SQLite file; set [store] url or BEDSIDE_STORE_URL to share it between gateways")
        }
        let shown = SecretRedaction.redact(url)
        let start = ContinuousClock.now
        do {
            let state = try await PostgresGatewayState.connect(
                url: url, logger: Logger(label: "bedside.doctor") { _ in SwiftLogNoOpLogHandler() },
                operationTimeout: .milliseconds(Int64(min(max(0.1, timeout), 5) * 1000)), migrate: false)
            try await withCleanup {
                try await state.checkReachable()
            } cleanup: {
                try? await state.closeState()
            }
            let ms = Int(((ContinuousClock.now - start) / .milliseconds(1)).rounded())
            return DoctorCheck(component: "store", status: .ok, message: "\(shown): PostgreSQL answered in \(ms) ms (\(state.stateDescription))")
        } catch {
            let why = (error as? BedsideError)?.message ?? "\(error)"
            return DoctorCheck(component: "store", status: .failed, message: SecretRedaction.redact("\(shown): \(why)", secrets: [url]))
        }
    }
}
