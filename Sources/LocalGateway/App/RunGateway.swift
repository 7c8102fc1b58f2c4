import Core
import Foundation
import Hummingbird
import Logging
import SQLiteStore
import ServiceLifecycle
import SharedState
import UnixSignals

/// Runs the gateway until SIGTERM or SIGINT, then shuts down in order: stop accepting
/// connections, let in-flight requests finish (up to `shutdownGracePeriod`), and only then
/// close the database (checkpointing the WAL) and the shared store. A `RemoteInferenceService`
/// passed in is shut down last.
///
/// - Parameters:
///   - gracefulShutdownSignals: signals that start the shutdown (tests use another one).
///   - onServerRunning: called with the bound port once the server listens.
public func runGateway(
    configuration: GatewayConfiguration, database: BedsideDatabase, state: (any GatewayStateStore)? = nil,
    inference: any InferenceService, logger: Logger, gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    try configuration.validateExposure()
    let gateway = try await Gateway(configuration: configuration, database: database, state: state, inference: inference, logger: logger)
    let app = gateway.makeApplication { channel in await onServerRunning(channel.localAddress?.port ?? 0) }
    var config = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: gracefulShutdownSignals, logger: logger)
    config.maximumGracefulShutdownDuration = .seconds(from: configuration.shutdownGracePeriod)
    let group = ServiceGroup(configuration: config)
    var failure: (any Error)?
    do { try await group.run() } catch { failure = error }
    do { try database.close() } catch {
        logger.error("closing the database failed", metadata: ["error": "\(error)"])
    }
    if let state, !(state is BedsideDatabase) {
        do { try await state.closeState() } catch {
            logger.error("closing the shared store failed", metadata: ["error": "\(error)"])
        }
    }
    if let remote = inference as? RemoteInferenceService { try? await remote.shutdown() }
    logger.info("gateway stopped")
    if let failure {
        throw ListenError.describe(failure, host: configuration.host, port: configuration.port) ?? failure
    }
}
