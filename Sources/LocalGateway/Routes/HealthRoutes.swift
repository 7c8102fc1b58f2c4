import Core
import Hummingbird

/// `/healthz` (the process is up), `/readyz` (the shared store is reachable and inference
/// answers its status), `/metrics`.
/// Unauthenticated, for probes and scrapers; none of them reveals questions or answers.
struct HealthRoutes: Sendable {
    let gateway: Gateway

    /// `version` lets a client (`bedside doctor --gateway`) say which server it reached.
    struct Health: Encodable {
        var status = "ok"
        var version = BedsideVersion.current
    }

    func register(on router: Router<GatewayRequestContext>) {
        router.get("healthz") { _, _ in try JSONCoding.response(Health()) }
        router.get("readyz") { _, _ in try await readiness() }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: gateway.metrics.render())))
        }
    }

    /// 200 with the `InferenceStatus` when inference is ready; 503 with it when inference
    /// answers but is not ready, or with the error shape when it or the shared store cannot
    /// be reached (no answer can be put on the record then, so none should be routed here).
    func readiness() async throws -> Response {
        do {
            try await withDeadline(
                .seconds(from: gateway.configuration.statusTimeout), sleep: gateway.clock.sleep, what: "The shared database check"
            ) { try await gateway.state.checkReachable() }
        } catch {
            let e = error as? BedsideError
            throw GatewayError(
                BedsideError(
                    .databaseUnavailable, "The gateway cannot reach its shared database.", detail: e?.description ?? "\(error)",
                    retryAfter: e?.retryAfter ?? gateway.configuration.defaultRetryAfter))
        }
        do {
            let status = try await gateway.inference.status()
            gateway.statusCache.record(status)
            return try JSONCoding.response(status, status: status.ready ? .ok : .serviceUnavailable)
        } catch {
            let e = error as? BedsideError
            throw BedsideError(
                e?.code == .timeout ? .timeout : .inferenceUnavailable, "Inference is not reachable" + (e.map { ": \($0.message)" } ?? "."),
                detail: e == nil ? "\(error)" : e?.detail, retryAfter: e?.retryAfter ?? gateway.configuration.defaultRetryAfter)
        }
    }
}
