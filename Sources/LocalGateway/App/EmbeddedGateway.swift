import Core
import Foundation
import Hummingbird
import Logging
import SQLiteStore
import ServiceLifecycle

/// A gateway inside the process, on 127.0.0.1 and a free port, for the TUI and
/// `bedside ask`: every question takes the same HTTP path (auth, limits, cache, audit) as
/// with `bedside serve`. Logs are discarded by default because stdout is the user's screen.
public final class EmbeddedGateway: Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// A token minted at start for the local user.
    public let token: String
    public let gateway: Gateway
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, token: String, gateway: Gateway, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.token = token
        self.gateway = gateway
        self.group = group
        self.task = task
    }

    /// Starts the server and returns once it is listening. The database stays the caller's
    /// to close (after `stop()`).
    /// - Parameter subject: the token's subject (the CLI passes `$USER`); defaults to `local`.
    public static func start(
        configuration: GatewayConfiguration, database: BedsideDatabase, inference: any InferenceService,
        logger: Logger = GatewayLogging.silent, subject: String? = nil
    ) async throws -> EmbeddedGateway {
        var config = configuration
        config.host = "127.0.0.1"
        config.port = 0
        let gateway = try await Gateway(configuration: config, database: database, inference: inference, logger: logger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = gateway.makeApplication { channel in
            portSink.yield(channel.localAddress?.port ?? 0)
            portSink.finish()
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        var received = ports.makeAsyncIterator()
        guard let port = await received.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            try await task.value // rethrows the reason the server did not start
            throw BedsideError(.internalError, "The embedded gateway did not start.")
        }
        let name = subject ?? "local"
        let token: String
        do { token = try await gateway.issuer.mint(subject: name, ttl: config.embeddedTokenTTL) } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        return EmbeddedGateway(port: port, token: token, gateway: gateway, group: group, task: task)
    }

    /// Stops accepting connections, lets in-flight requests finish, and returns when the server is down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
