import Core
import Foundation
import PostgresNIO
import SharedState

/// Token buckets shared by every gateway on the database: one row per subject.
extension PostgresGatewayState {
    /// Refills `subject`'s bucket for the time since its last take and spends one token if a
    /// whole one is there, in ONE statement (one round trip) timed by the database clock.
    ///
    /// The upsert's row lock serializes concurrent takes of one subject, whichever gateway sends
    /// them, so between them they never spend more than `capacity` plus the refill. The clock is
    /// read once (`EXCLUDED.updated_at`, before any wait for the lock); a take that waited
    /// behind a later one counts no negative time and never moves `updated_at` back, so no
    /// interval is refilled twice. `last_allowed` carries the decision to RETURNING.
    public func takeToken(subject: String, capacity: Double, refillPerSecond: Double) async throws -> SharedBucketTake {
        try await run { client in
            let rows = try await client.query(
                """
                INSERT INTO rate_bucket AS b (subject, tokens, updated_at, last_allowed)
                SELECT \(subject), CASE WHEN \(capacity)::float8 >= 1 THEN \(capacity)::float8 - 1 ELSE \(capacity)::float8 END,
                       extract(epoch from clock_timestamp())::float8, \(capacity)::float8 >= 1
                ON CONFLICT (subject) DO UPDATE SET
                    tokens = CASE
                        WHEN least(\(capacity)::float8, b.tokens + greatest(0, EXCLUDED.updated_at - b.updated_at) * \(refillPerSecond)::float8) >= 1
                        THEN least(\(capacity)::float8, b.tokens + greatest(0, EXCLUDED.updated_at - b.updated_at) * \(refillPerSecond)::float8) - 1
                        ELSE least(\(capacity)::float8, b.tokens + greatest(0, EXCLUDED.updated_at - b.updated_at) * \(refillPerSecond)::float8)
                    END,
                    last_allowed = least(\(capacity)::float8, b.tokens + greatest(0, EXCLUDED.updated_at - b.updated_at) * \(refillPerSecond)::float8) >= 1,
                    updated_at = greatest(b.updated_at, EXCLUDED.updated_at)
                RETURNING tokens, last_allowed
                """, logger: self.logger)
            for try await (tokens, allowed) in rows.decode((Double, Bool).self) {
                return SharedBucketTake(allowed: allowed, tokens: tokens)
            }
            throw BedsideError(.database, "PostgreSQL at \(self.target.place) returned no bucket row for a take.")
        }
    }
}
