import Core
import NIOCore

/// What the HTTP edge allows a connection before the router sees anything: how long a
/// request may take to arrive, how long a kept-alive connection may sit idle, how many
/// connections may be open, and how much is read and thrown away after an early answer.
/// The fields are `GatewayConfiguration`'s transport settings, documented there (its
/// `headerReadTimeout` and `bodyReadTimeout` drop `Read` here), durations made `TimeAmount`s once.
struct EdgeLimits: Sendable {
    var headerTimeout: TimeAmount
    var bodyTimeout: TimeAmount
    var idleTimeout: TimeAmount
    var lingerTimeout: TimeAmount
    var lingerBytes: Int
    var maxConnections: Int
    var maxHeaderBytes: Int
    /// How long a route may take to answer once the edge has told it the body timed out
    /// (or was malformed) before the connection is closed without waiting.
    var answerGrace: TimeAmount = .seconds(2)

    init(configuration: GatewayConfiguration) {
        headerTimeout = .seconds(from: configuration.headerReadTimeout)
        bodyTimeout = .seconds(from: configuration.bodyReadTimeout)
        idleTimeout = .seconds(from: configuration.idleTimeout)
        lingerTimeout = .seconds(from: configuration.lingerTimeout)
        lingerBytes = configuration.lingerBytes
        maxConnections = configuration.maxConnections
        maxHeaderBytes = configuration.maxHeaderBytes
    }
}

extension TimeAmount {
    /// Seconds as a `TimeAmount`.
    static func seconds(from interval: Double) -> TimeAmount {
        .nanoseconds(Int64((interval * 1e9).rounded()))
    }
}

/// Open connections, shared by every connection of one server.
final class ConnectionCounter: Sendable {
    private let count = Locked(0)

    /// Counts a new connection and returns how many are open with it.
    func open() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
    func close() { count.withLock { $0 -= 1 } }
    var current: Int { count.withLock { $0 } }
}
