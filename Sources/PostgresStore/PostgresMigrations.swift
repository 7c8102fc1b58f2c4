import Foundation
import Logging
import PostgresNIO

/// The versioned PostgreSQL schema. Append a new version for every change; never edit a
/// shipped one. `schema_migrations` records what is applied; `migrate` holds a transaction
/// advisory lock so two gateways starting at once never both migrate.
enum PostgresMigrations {
    /// Advisory lock keys (one namespace for Bedside: "beds" in ASCII, then a small number).
    static let migrationLock: Int64 = 0x6265_6473_0001
    static let revocationLock: Int64 = 0x6265_6473_0002

    /// Versions in order, each a list of single statements (the extended protocol runs one at a time).
    static let versions: [(String, [String])] = [
        (
            "v1-gateway-state",
            [
                // Who asked what, when, and what they were shown: the same columns and chain as
                // SQLite's `audit`. `at` is double precision seconds so the Date the hash covers
                // round-trips bit for bit. Ids are dense, assigned under the audit_head row lock.
                """
                CREATE TABLE audit (
                    id bigint PRIMARY KEY,
                    at double precision NOT NULL,
                    request_id text,
                    subject text NOT NULL,
                    question text NOT NULL,
                    answer_id text,
                    sources text NOT NULL DEFAULT '[]',
                    model text NOT NULL,
                    index_version bigint NOT NULL,
                    cached boolean NOT NULL DEFAULT false,
                    stale boolean NOT NULL DEFAULT false,
                    refused boolean NOT NULL DEFAULT false,
                    outcome text NOT NULL DEFAULT 'answered',
                    ref_id bigint,
                    detail text NOT NULL DEFAULT '',
                    prev_hash text NOT NULL,
                    hash text NOT NULL
                )
                """,
                "CREATE INDEX audit_at ON audit(at)",
                "CREATE INDEX audit_subject ON audit(subject, at)",
                // The end of the chain: appends lock this one row (SELECT … FOR UPDATE), so the
                // appends of every gateway form one chain.
                """
                CREATE TABLE audit_head (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    last_id bigint NOT NULL,
                    last_hash text NOT NULL
                )
                """,
                "INSERT INTO audit_head(singleton, last_id, last_hash) VALUES (true, 0, '')",
                """
                CREATE FUNCTION bedside_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'the audit trail is append-only';
                END
                $$
                """,
                """
                CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
                    FOR EACH ROW EXECUTE FUNCTION bedside_audit_append_only()
                """,
                """
                CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
                    FOR EACH STATEMENT EXECUTE FUNCTION bedside_audit_append_only()
                """,
                // Every answer given, for history and replay; subject-scoped like SQLite's.
                """
                CREATE TABLE answer (
                    id text PRIMARY KEY,
                    question text NOT NULL,
                    normalized_question text NOT NULL,
                    body text NOT NULL,
                    refused boolean NOT NULL,
                    model text NOT NULL,
                    index_version bigint NOT NULL,
                    subject text,
                    created_at double precision NOT NULL,
                    origin_id text
                )
                """,
                "CREATE INDEX answer_subject ON answer(subject, created_at, id)",
                "CREATE INDEX answer_origin ON answer(origin_id, subject)",
                "CREATE INDEX answer_created ON answer(created_at)",
                // The response cache; `lineage` finds an older answer to serve stale.
                """
                CREATE TABLE cache_entry (
                    key text PRIMARY KEY,
                    lineage text NOT NULL,
                    answer_id text NOT NULL,
                    body text NOT NULL,
                    index_version bigint NOT NULL,
                    model text NOT NULL,
                    created_at double precision NOT NULL,
                    expires_at double precision NOT NULL
                )
                """,
                "CREATE INDEX cache_lineage ON cache_entry(lineage, created_at)",
                // Tokens minted by `bedside token create` (the token itself is never stored).
                """
                CREATE TABLE issued_token (
                    jti text PRIMARY KEY,
                    subject text NOT NULL,
                    issued_at double precision NOT NULL,
                    expires_at double precision NOT NULL,
                    revoked boolean NOT NULL DEFAULT false,
                    roles text NOT NULL DEFAULT '[]'
                )
                """,
                // Revocations; inserted under an advisory lock so ids commit in order and a
                // reader that remembers the last id it saw never skips one.
                """
                CREATE TABLE revocation (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    jti text,
                    subject text,
                    revoked_at double precision NOT NULL,
                    CHECK (jti IS NOT NULL OR subject IS NOT NULL)
                )
                """,
                // One token bucket per subject, shared by every gateway; `updated_at` is the
                // database clock (epoch seconds), `last_allowed` what the last take decided.
                """
                CREATE TABLE rate_bucket (
                    subject text PRIMARY KEY,
                    tokens double precision NOT NULL,
                    updated_at double precision NOT NULL,
                    last_allowed boolean NOT NULL
                )
                """,
            ]
        ),
        (
            // Every request updates its subject's bucket row; as a logged table each take waited
            // for a WAL flush, capping one subject near 700 req/s on the bench machine
            // (bench/gateway_shared.sh). Unlogged, a take commits without one (1,178 → 1,996
            // req/s for one gateway). The cost: after a server crash (not a clean shutdown) the
            // buckets start full again, which only forgives a burst; the audit trail stays logged.
            "v2-unlogged-rate-buckets",
            ["ALTER TABLE rate_bucket SET UNLOGGED"]
        ),
        (
            // The chain head is the anchor `audit verify` compares the trail's end with: it may
            // only move forward and never be removed. `gateway_meta` holds facts every gateway on
            // the database must agree on: the fingerprint of the token secret (never the secret).
            "v3-audit-anchor",
            [
                """
                CREATE FUNCTION bedside_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' OR NEW.last_id < OLD.last_id THEN
                        RAISE EXCEPTION 'the audit chain head only moves forward';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
                    FOR EACH ROW EXECUTE FUNCTION bedside_audit_head_forward_only()
                """,
                """
                CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
                    FOR EACH STATEMENT EXECUTE FUNCTION bedside_audit_append_only()
                """,
                "CREATE TABLE gateway_meta (key text PRIMARY KEY, value text NOT NULL)",
            ]
        ),
    ]

    /// Applies the versions not yet applied, all in one transaction under the migration lock.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    applied_at double precision NOT NULL
                )
                """, logger: logger)
            var applied = Set<String>()
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for (version, statements) in versions where !applied.contains(version) {
                for sql in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations(version, applied_at) VALUES (\(version), extract(epoch from clock_timestamp()))",
                    logger: logger)
                logger.info("applied PostgreSQL migration", metadata: ["version": "\(version)"])
            }
        }
    }
}
