import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import TUI

struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the terminal console (the default when no subcommand is given).",
        discussion: """
            Starts the gateway embedded on loopback (or uses --gateway URL with --token or \
            BEDSIDE_TOKEN), ingests the demo corpus when the index is empty, and opens the \
            console. Press ? inside for every key. With --gateway, what the console receives \
            is kept in a replica on this workstation and replayed from it when the gateway \
            cannot be reached (see `bedside sync`).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions
    @OptionGroup var gateway: GatewayOptions

    @OptionGroup var remote: RemoteGatewayOptions

    @OptionGroup var replicaOptions: ReplicaOptions

    @Flag(name: .customLong("no-color"), help: "No colour (NO_COLOR is honoured too).")
    var noColor = false

    @Flag(name: .customLong("screen-reader"), help: "Linear layout without box drawing, with labels.")
    var screenReader = false

    @Option(
        name: .customLong("export-dir"),
        help: ArgumentHelp(
            "Where `e` writes Markdown exports (config [console] export_dir; default $XDG_DATA_HOME/bedside/exports).", valueName: "path"))
    var exportDirectory: String?

    func run() async throws {
        try await reportingErrors {
            let layers = try Settings.layers(flags: Settings.flags([ConsoleSettings.exportDirKey: exportDirectory]))
            let exportDir = try ConsoleSettings.exportDirectory(layers)
            let tracePath = try layers.string(ConsoleSettings.traceKey)
            if let gatewayURL = remote.url {
                let (token, source) = try remote.resolvedTokenAndSource()
                let replica = try await replicaOptions.replica(gatewayURL: gatewayURL, token: token)
                var options = TUIOptions(
                    gatewayURL: gatewayURL, token: token, noColor: noColor, screenReader: screenReader,
                    exportDirectory: exportDir, replica: replica)
                options.caCertificatePath = try remote.resolvedCACertificate()
                options.tokenSource = source
                try await Self.openConsole(options, tracePath: tracePath)
                return
            }
            let db = try database.open()
            try await components.withSetUp(database: db) { setup in
                try await DemoCorpus.ingestIfEmpty(db, sink: setup.sink)
                let pipeline = setup.pipeline(db)
                let config = try gateway.configuration(databasePath: database.path)
                let embedded = try await EmbeddedGateway.start(
                    configuration: config, database: db, inference: pipeline, subject: HistorySourceOptions.localSubject())
                let status = try? await pipeline.status()
                var options = TUIOptions(
                    gatewayURL: embedded.baseURL, token: embedded.token, noColor: noColor, screenReader: screenReader,
                    model: status?.model ?? setup.generator.model,
                    indexName: "\(status?.retriever ?? setup.retriever.name)", exportDirectory: exportDir)
                options.demoCorpus = await DemoCorpus.share(in: db)
                try await withCleanup {
                    try await Self.openConsole(options, tracePath: tracePath)
                } cleanup: {
                    await embedded.stop()
                }
            }
        }
    }

    @MainActor
    static func openConsole(
        _ options: TUIOptions, tracePath: String?, environment: [String: String] = Settings.environment
    ) async throws {
        var options = options
        options.noColor = !options.usesColor(environment: environment) // --no-color, NO_COLOR, TERM=dumb
        options.tracePath = tracePath
        do {
            try await runTUI(options: options)
        } catch let e as TUIError {
            throw BedsideError(.badRequest, e.description)
        }
    }
}
