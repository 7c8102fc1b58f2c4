import GRDB
import SharedState

/// Versioned schema. Add a new `registerMigration` for every change; never edit a shipped one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-core") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL
                    );
                    INSERT INTO meta(key, value) VALUES ('index_version', '0');

                    CREATE TABLE document (
                        id TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL,
                        text TEXT NOT NULL,
                        metadata TEXT NOT NULL DEFAULT '{}',
                        source_path TEXT,
                        content_hash TEXT NOT NULL,
                        index_version INTEGER NOT NULL,
                        ingested_at REAL NOT NULL
                    );

                    CREATE TABLE chunk (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        document_id TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
                        ordinal INTEGER NOT NULL,
                        section_path TEXT NOT NULL DEFAULT '[]',
                        text TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        "end" INTEGER NOT NULL
                    );
                    CREATE INDEX chunk_document ON chunk(document_id, ordinal);

                    -- BM25 index over chunks; rowid = chunk.id. Title and section are indexed
                    -- so that a question naming a topic finds its passages.
                    CREATE VIRTUAL TABLE chunk_fts USING fts5(
                        title, section, body,
                        tokenize = 'porter unicode61 remove_diacritics 2'
                    );
                    CREATE TRIGGER chunk_fts_delete AFTER DELETE ON chunk BEGIN
                        DELETE FROM chunk_fts WHERE rowid = old.id;
                    END;

                    -- Embedded vector index: one Float32 vector per chunk and model.
                    CREATE TABLE embedding (
                        chunk_id INTEGER NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
                        model TEXT NOT NULL,
                        dim INTEGER NOT NULL,
                        vector BLOB NOT NULL,
                        PRIMARY KEY (chunk_id, model)
                    );
                    CREATE INDEX embedding_model ON embedding(model);

                    -- Every answer given, for history and replay.
                    CREATE TABLE answer (
                        id TEXT PRIMARY KEY NOT NULL,
                        question TEXT NOT NULL,
                        normalized_question TEXT NOT NULL,
                        body TEXT NOT NULL,
                        refused INTEGER NOT NULL,
                        model TEXT NOT NULL,
                        index_version INTEGER NOT NULL,
                        subject TEXT,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX answer_created ON answer(created_at);
                    CREATE INDEX answer_normalized ON answer(normalized_question);

                    -- Response cache; the key hashes question, filters, top_k, index version and model.
                    CREATE TABLE cache_entry (
                        key TEXT PRIMARY KEY NOT NULL,
                        -- key without the index version: finds an older answer to serve stale.
                        lineage TEXT NOT NULL,
                        answer_id TEXT NOT NULL,
                        body TEXT NOT NULL,
                        index_version INTEGER NOT NULL,
                        model TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        expires_at REAL NOT NULL
                    );
                    CREATE INDEX cache_lineage ON cache_entry(lineage, created_at);

                    -- Who asked what, when, and what they were shown.
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        request_id TEXT,
                        subject TEXT NOT NULL,
                        question TEXT NOT NULL,
                        answer_id TEXT,
                        sources TEXT NOT NULL DEFAULT '[]',
                        model TEXT NOT NULL,
                        index_version INTEGER NOT NULL,
                        cached INTEGER NOT NULL DEFAULT 0,
                        stale INTEGER NOT NULL DEFAULT 0,
                        refused INTEGER NOT NULL DEFAULT 0,
                        outcome TEXT NOT NULL DEFAULT 'answered'
                    );
                    CREATE INDEX audit_at ON audit(at);

                    -- Tokens minted by `bedside token create` (the token itself is never stored).
                    CREATE TABLE issued_token (
                        jti TEXT PRIMARY KEY NOT NULL,
                        subject TEXT NOT NULL,
                        issued_at REAL NOT NULL,
                        expires_at REAL NOT NULL,
                        revoked INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        registerReplica(&m)
        m.registerMigration("v2-private-records") { db in
            try db.execute(
                sql: """
                    -- Every answer belongs to a subject; a cached answer served to another subject
                    -- is recorded for them as a copy whose origin_id names the cached one.
                    ALTER TABLE answer ADD COLUMN origin_id TEXT;
                    CREATE INDEX answer_subject ON answer(subject, created_at);
                    CREATE INDEX answer_origin ON answer(origin_id, subject);

                    -- The audit chain: each row's hash covers the previous row's hash and its own content.
                    ALTER TABLE audit ADD COLUMN ref_id INTEGER;
                    ALTER TABLE audit ADD COLUMN detail TEXT NOT NULL DEFAULT '';
                    ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
                    ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
                    CREATE INDEX audit_subject ON audit(subject, at);

                    -- Tokens: roles as minted, and revocations (by token id, or every token of a subject issued before a time).
                    ALTER TABLE issued_token ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
                    CREATE TABLE revocation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        jti TEXT,
                        subject TEXT,
                        revoked_at REAL NOT NULL,
                        CHECK (jti IS NOT NULL OR subject IS NOT NULL)
                    );
                    """)
            // Chain the rows written before the chain existed, oldest first.
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id ASC")
            var previous = ""
            for row in rows {
                let record = AuditRecord(row: row)
                let id: Int64 = row["id"]
                let hash = record.chainHash(id: id, previous: previous, sourcesJSON: row["sources"])
                try db.execute(sql: "UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", arguments: [previous, hash, id])
                previous = hash
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN
                        SELECT RAISE(ABORT, 'the audit trail is append-only');
                    END;
                    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN
                        SELECT RAISE(ABORT, 'the audit trail is append-only');
                    END;
                    """)
        }
        m.registerMigration("v3-audit-head") { db in
            try db.execute(
                sql: """
                    -- The end of the audit chain, moved in the same transaction as every append (one
                    -- small write per commit group): a deleted tail leaves it pointing past the last
                    -- row, a rewritten chain leaves its hash different (`audit verify`). It starts at
                    -- the trail's last row as it is now.
                    CREATE TABLE audit_head (
                        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                        last_id INTEGER NOT NULL,
                        last_hash TEXT NOT NULL
                    );
                    INSERT INTO audit_head(singleton, last_id, last_hash)
                        SELECT 1, COALESCE(MAX(id), 0), COALESCE((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '') FROM audit;
                    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN
                        SELECT RAISE(ABORT, 'the audit chain head cannot be removed');
                    END;
                    CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head WHEN new.last_id < old.last_id BEGIN
                        SELECT RAISE(ABORT, 'the audit chain head only moves forward');
                    END;
                    """)
        }
        return m
    }
}
