import GRDB

extension Migrations {
    /// The workstation replica's tables (issue 10). They live in a Bedside database file of
    /// their own, one per gateway and subject; the gateway's own database has them empty.
    static func registerReplica(_ m: inout DatabaseMigrator) {
        m.registerMigration("v2-replica") { db in
            try db.execute(
                sql: """
                    -- Which gateway and subject this replica mirrors: one row, checked on every open.
                    CREATE TABLE replica_meta (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        gateway_url TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        last_sync_at REAL
                    );

                    -- Every answer received, whole (the Answer wire object as JSON).
                    CREATE TABLE replica_answer (
                        id TEXT PRIMARY KEY NOT NULL,
                        question TEXT NOT NULL,
                        normalized_question TEXT NOT NULL,
                        body TEXT NOT NULL,
                        refused INTEGER NOT NULL,
                        model TEXT NOT NULL,
                        index_version INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        received_at REAL NOT NULL
                    );
                    CREATE INDEX replica_answer_created ON replica_answer(created_at);
                    CREATE INDEX replica_answer_normalized ON replica_answer(normalized_question, created_at);

                    -- Which passages each answer cites (what eviction may drop with it).
                    CREATE TABLE replica_citation (
                        answer_id TEXT NOT NULL REFERENCES replica_answer(id) ON DELETE CASCADE,
                        chunk_id INTEGER NOT NULL,
                        PRIMARY KEY (answer_id, chunk_id)
                    );
                    CREATE INDEX replica_citation_chunk ON replica_citation(chunk_id);

                    -- Cited documents, kept once per content hash.
                    CREATE TABLE replica_document (
                        content_hash TEXT PRIMARY KEY NOT NULL,
                        document_id TEXT NOT NULL,
                        title TEXT NOT NULL,
                        text TEXT NOT NULL,
                        metadata TEXT NOT NULL,
                        spans TEXT NOT NULL
                    );

                    -- A cited passage: where it sits in which document.
                    CREATE TABLE replica_source (
                        chunk_id INTEGER PRIMARY KEY NOT NULL,
                        content_hash TEXT NOT NULL,
                        title TEXT NOT NULL,
                        section TEXT NOT NULL,
                        passage TEXT NOT NULL,
                        start INTEGER NOT NULL,
                        "end" INTEGER NOT NULL,
                        index_version INTEGER NOT NULL,
                        fetched_at REAL NOT NULL
                    );
                    """)
        }
    }
}
