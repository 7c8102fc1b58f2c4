import Core
import PostgresNIO
import SharedState

extension PostgresGatewayState {
    /// One `SELECT 1` through the pool, within the operation deadline: `/readyz` reports the
    /// gateway unready while PostgreSQL cannot be reached, so a load balancer routes around
    /// it. The probe always goes to the server (it is how an outage is seen to end).
    public func checkReachable() async throws {
        let (client, logger) = (self.client, self.logger)
        do {
            _ = try await withDeadline { try await client.query("SELECT 1", logger: logger).collect().count }
            noteReachable()
        } catch {
            let e = target.mapError(error) as? BedsideError
            let unavailable = BedsideError(
                .databaseUnavailable, e?.message ?? "PostgreSQL cannot be reached.", detail: e?.detail ?? "\(error)",
                retryAfter: e?.retryAfter ?? 5)
            throw noteOutage(unavailable)
        }
    }
}
