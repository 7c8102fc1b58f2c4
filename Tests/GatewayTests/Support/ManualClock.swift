import Foundation

@testable import LocalGateway

/// A clock tests move by hand. Sleeps are real (tests use short timeouts).
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var wall: Date
    private var mono: Duration = .seconds(1000)

    init(now: Date = Date(timeIntervalSince1970: 1_750_000_000)) { wall = now }

    var now: Date { lock.withLock { wall } }
    var uptime: Duration { lock.withLock { mono } }

    func advance(seconds: Double) {
        lock.withLock {
            wall = wall.addingTimeInterval(seconds)
            mono += .nanoseconds(Int64(seconds * 1e9))
        }
    }

    var gatewayClock: GatewayClock {
        GatewayClock(now: { self.now }, uptime: { self.uptime })
    }
}
