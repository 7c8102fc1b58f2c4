import Core
import CoreMetrics
import Foundation
import Prometheus

/// The gateway's metrics, in its own Prometheus registry (tests build many gateways in
/// one process, and `MetricsSystem.bootstrap` may only run once): requests by route and
/// status, latency, cache results, inference errors, auth and rate-limit refusals.
/// Metric objects are made once per label set and reused.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let counters = Locked<[String: CoreMetrics.Counter]>([:])
    /// Per-request metrics, looked up by a value key (no string building on the hot path).
    private struct RequestKey: Hashable {
        var route: String, method: String, status: Int
    }
    private let requestMetrics = Locked<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])
    /// Log lines standard output's writer dropped so far (process-wide); the counter catches up on render.
    private let logLinesDropped = Locked(0)

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        self.factory = factory
    }

    func request(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let (count, time) = requestMetrics.withLock { all in
            if let known = all[key] { return known }
            let made = (
                counter("bedside_http_requests_total", [("route", route), ("method", method), ("status", String(status))]),
                // The registry returns the one histogram per route however many timers name it.
                CoreMetrics.Timer(label: "bedside_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            )
            all[key] = made
            return made
        }
        count.increment()
        time.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func cache(_ result: String) {
        counter("bedside_cache_lookups_total", [("result", result)]).increment()
    }

    func inferenceError(code: String) {
        counter("bedside_inference_errors_total", [("code", code)]).increment()
    }

    func authFailure(kind: String) {
        counter("bedside_auth_failures_total", [("reason", kind)]).increment()
    }

    /// A cache hit answered on the event loop (`CachedQueryFastPath`), or one it handed to
    /// the router after its audit commit failed.
    func fastPath(_ outcome: String) {
        counter("bedside_cached_fast_path_total", [("outcome", outcome)]).increment()
    }

    func rateLimited() {
        counter("bedside_rate_limited_total", []).increment()
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] {
        let dropped = LineWriter.standardOutput.dropped
        logLinesDropped.withLock { counted in
            counter("bedside_log_lines_dropped_total", []).increment(by: dropped - counted)
            counted = dropped
        }
        return registry.emitToBuffer()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = dimensions.reduce(label) { $0 + "\u{1F}" + $1.0 + "=" + $1.1 }
        return counters.withLock { all in
            if let c = all[key] { return c }
            let c = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            all[key] = c
            return c
        }
    }
}
