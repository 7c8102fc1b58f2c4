import Core
import PostgresNIO
import Store

extension PostgresGatewayState {
    /// One `SELECT 1` through the pool: `/readyz` reports the gateway unready while PostgreSQL
    /// cannot be reached, so a load balancer routes around it.
    public func checkReachable() async throws {
        do {
            _ = try await client.query("SELECT 1", logger: logger).collect()
        } catch {
            let mapped = target.mapError(error)
            let e = mapped as? BedsideError
            throw BedsideError(
                .databaseUnavailable, e?.message ?? "PostgreSQL cannot be reached.", detail: e?.detail ?? "\(error)",
                retryAfter: e?.retryAfter ?? 5)
        }
    }
}
