import Foundation
import Synchronization

@testable import LocalGateway

/// A clock tests move by hand. Sleeps are real (tests use short timeouts).
final class ManualClock: Sendable {
    private let time: Mutex<(wall: Date, mono: Duration)>

    init(now: Date = Date(timeIntervalSince1970: 1_750_000_000)) { time = Mutex((now, .seconds(1000))) }

    var now: Date { time.withLock { $0.wall } }
    var uptime: Duration { time.withLock { $0.mono } }

    func advance(seconds: Double) {
        time.withLock {
            $0.wall = $0.wall.addingTimeInterval(seconds)
            $0.mono += .nanoseconds(Int64(seconds * 1e9))
        }
    }

    var gatewayClock: GatewayClock {
        GatewayClock(now: { self.now }, uptime: { self.uptime })
    }
}
