import ArgumentParser
import Core
import Foundation
import Inference
import LocalGateway
import Logging
import RAGGRPC

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP gateway alone (JWT auth, rate limits, cache, audit, metrics).",
        discussion: """
            Logs one JSON line per request on stdout. SIGTERM or SIGINT drains requests in \
            flight, then closes the database. Mint tokens with `bedside token create`. \
            With --inference URL, questions are routed to another Bedside gateway (with a \
            circuit breaker), or with --inference grpc://HOST:PORT to a RAG service speaking \
            rag.RAGService (Protos/rag.proto); otherwise inference runs in this process. \
            With --store postgres://… several gateways share one audit trail, history, cache, \
            token revocations and rate limits (docs/deployment.md). API: docs/api.md.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var components: ComponentOptions
    @OptionGroup var gateway: GatewayOptions

    @OptionGroup var listen: ServeOptions
    @OptionGroup var store: StoreOptions

    @Option(
        help: ArgumentHelp(
            "Base URL of a remote inference node (another `bedside serve`), or grpc://HOST:PORT of a rag.RAGService.", valueName: "url"))
    var inference: String?

    @Option(
        name: .customLong("inference-token"),
        help: ArgumentHelp("Bearer token for the remote inference node (or BEDSIDE_INFERENCE_TOKEN).", valueName: "token"))
    var inferenceToken: String?

    @Option(
        name: .customLong("inference-cacert"),
        help: ArgumentHelp("PEM file of the CA that signed an https:// inference node's certificate.", valueName: "file"))
    var inferenceCACert: String?

    func run() async throws {
        try await reportingErrors {
            let config = try gateway.configuration(databasePath: database.path, extraFlags: listen.flags.merging(store.flags) { a, _ in a })
            try config.validateExposure()
            if let cert = config.tlsCertificatePath, let key = config.tlsKeyPath {
                _ = try GatewayTLS.serverConfiguration(certificatePath: cert, keyPath: key) // fail now, not after setup
            }
            let logger = GatewayLogging.makeLogger(configuration: config)
            let db = try database.open()
            let state = try await SharedState.open(url: config.storeURL, database: { db }, logger: logger)
            let service: any InferenceService
            var setup: ComponentOptions.Setup?
            var grpc: GRPCInferenceService?
            if let inference, GRPCTarget.isGRPC(inference) {
                // Citations link to this database's documents.
                let rag = try GRPCInference.makeService(url: inference, configuration: config, database: db)
                grpc = rag
                service = rag
            } else if let inference {
                let token = CommandSettings.value(CommandSettings.inferenceToken, flag: inferenceToken)
                let ca = try inferenceCACert.map(RemoteGatewayOptions.checkedCACertificate)
                service = RemoteInferenceService(
                    baseURL: inference, token: token, connectTimeout: config.inferenceConnectTimeout,
                    totalTimeout: config.inferenceTimeout, caCertificatePath: ca)
            } else {
                let s = try await components.setUp(database: db)
                setup = s
                do {
                    try await DemoCorpus.ingestIfEmpty(db, sink: s.sink)
                } catch {
                    await s.shutdown()
                    throw error
                }
                service = s.pipeline(db)
            }
            let connections = grpc.map { rag in Task { try await rag.run() } }
            defer {
                grpc?.shutdown()
                connections?.cancel()
            }
            let started = Date()
            let host = config.host
            let scheme = config.tlsEnabled ? "https" : "http"
            // The HTTP client is shut down by awaiting it on every path (a `defer` cannot await).
            try await withCleanup {
                try await runGateway(configuration: config, database: db, state: state, inference: service, logger: logger) { port in
                    logger.info(
                        "listening",
                        metadata: [
                            "url": "\(scheme)://\(host):\(port)",
                            "state": "\(state.stateDescription)",
                            "startup_ms": "\(Int(Date().timeIntervalSince(started) * 1000))",
                        ])
                }
            } cleanup: {
                await setup?.shutdown()
            }
        }
    }
}

/// `serve`'s listening flags; they override `[gateway]`/`[tls]` in config.toml and `BEDSIDE_*`.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (0 picks a free one; default 8787).")
    var port: Int?

    @Flag(name: .customLong("log-questions"), help: "Include question text in request logs (off by default for privacy).")
    var logQuestions = false

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp("PEM certificate chain: serve HTTPS only (with --tls-key; or BEDSIDE_TLS_CERT).", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for --tls-cert (or BEDSIDE_TLS_KEY).", valueName: "file"))
    var tlsKey: String?

    @Flag(
        name: .customLong("insecure-http"),
        help: "Allow plain HTTP on an address other than loopback (tokens and questions cross the network in clear text).")
    var insecureHTTP = false

    /// These flags by `ConfigKey.dotted`; a flag left off leaves the lower layers' value.
    var flags: [String: String] {
        typealias K = GatewayConfiguration.Keys
        return Settings.flags([
            K.host: host, K.port: port.map(String.init), K.logQuestions: logQuestions ? "true" : nil, K.tlsCert: tlsCert, K.tlsKey: tlsKey,
            K.insecureHTTP: insecureHTTP ? "true" : nil,
        ])
    }
}
