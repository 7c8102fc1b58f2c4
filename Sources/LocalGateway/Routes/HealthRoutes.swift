import Core
import Hummingbird

/// `/healthz` (the process is up), `/readyz` (inference answers its status), `/metrics`.
/// Unauthenticated, for probes and scrapers; none of them reveals questions or answers.
struct HealthRoutes: Sendable {
    let gateway: Gateway

    struct Health: Encodable { var status = "ok" }

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
    /// answers but is not ready, or with the error shape when it cannot be reached.
    func readiness() async throws -> Response {
        do {
            let status = try await gateway.inference.status()
            gateway.statusCache.record(status)
            return try JSONCoding.response(status, status: status.ready ? .ok : .serviceUnavailable)
        } catch let error as BedsideError {
            var e = BedsideError(
                .inferenceUnavailable, "Inference is not reachable: \(error.message)", detail: error.detail,
                retryAfter: error.retryAfter ?? gateway.configuration.defaultRetryAfter)
            if error.code == .timeout { e.code = .timeout }
            throw GatewayError(.serviceUnavailable, e)
        } catch {
            throw GatewayError(
                .serviceUnavailable,
                BedsideError(
                    .inferenceUnavailable, "Inference is not reachable.", detail: "\(error)",
                    retryAfter: gateway.configuration.defaultRetryAfter))
        }
    }
}
