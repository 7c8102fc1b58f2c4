import Core
import Foundation
import GRDB
import SharedState

#if canImport(Glibc)
    import Glibc
#endif

/// Which gateway and subject a replica mirrors. A replica is never mixed with another's.
public struct ReplicaIdentity: Sendable, Hashable {
    public var gatewayURL: String
    public var subject: String

    public init(gatewayURL: String, subject: String) {
        self.gatewayURL = Self.canonicalURL(gatewayURL)
        self.subject = subject
    }

    /// `http://Host:8787/` and `http://host:8787` are the same gateway.
    public static func canonicalURL(_ url: String) -> String {
        var u = url.trimmingCharacters(in: .whitespaces)
        while u.hasSuffix("/") { u.removeLast() }
        if !u.contains("://") { u = "http://" + u }
        guard let r = u.range(of: "://") else { return u }
        let scheme = u[..<r.lowerBound].lowercased()
        let rest = u[r.upperBound...]
        let hostEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        return scheme + "://" + rest[..<hostEnd].lowercased() + rest[hostEnd...]
    }
}

/// Size and age bounds; the oldest answers go first.
public struct ReplicaLimits: Sendable, Hashable {
    public var maxBytes: Int64?
    public var maxAge: TimeInterval?

    public init(maxBytes: Int64? = nil, maxAge: TimeInterval? = nil) {
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    /// 200 MB, 365 days.
    public static let standard = ReplicaLimits(maxBytes: 200 << 20, maxAge: 365 * 86_400)
}

/// What `bedside doctor` and `bedside sync` report about a replica.
public struct ReplicaSummary: Sendable, Hashable {
    public var path: String
    public var identity: ReplicaIdentity
    public var fileBytes: Int64
    public var answers: Int
    public var documents: Int
    public var oldest: Date?
    public var newest: Date?
    public var lastSync: Date?
}

/// The workstation replica: a Bedside database file (same migrations) holding what one
/// gateway sent one subject. Files are 0600 in a 0700 folder. A file that is not SQLite,
/// is corrupt, is not a replica, or mirrors another gateway or subject is refused with a
/// message naming it, and nothing in it is changed.
public final class Replica: AnswerReplica, Sendable {
    public let database: BedsideDatabase
    public let identity: ReplicaIdentity
    public let limits: ReplicaLimits
    private let now: @Sendable () -> Date

    public var location: String { database.path }

    /// `DATA/replicas/<host_port>-<subject>-<hash>.sqlite`, one file per gateway and subject.
    public static func path(for identity: ReplicaIdentity, dataDirectory: String) -> String {
        let host = identity.gatewayURL.components(separatedBy: "://").last ?? identity.gatewayURL
        let name = [slug(host), slug(identity.subject), fnv1a(identity.gatewayURL + "\u{0}" + identity.subject)]
            .joined(separator: "-")
        return directory(dataDirectory: dataDirectory) + "/" + name + ".sqlite"
    }

    public static func directory(dataDirectory: String) -> String { dataDirectory + "/replicas" }

    /// Opens (creating when missing) the replica for `identity` at `path`.
    public static func open(
        path: String, identity: ReplicaIdentity, limits: ReplicaLimits = .standard,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> Replica {
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        // Never chmod through a link: a `replicas` link to a shared folder would put patients'
        // questions there, and re-mode its target to 0700 under whoever owns it.
        for (what, item) in [("folder", dir), ("file", path)] {
            var info = stat()
            if lstat(item, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
                throw BedsideError(
                    .database,
                    "The replica \(what) \(item) is a symbolic link; Bedside keeps replicas only in a private \(what) of its own. Replace the link with a real \(what) (or use --no-replica)."
                )
            }
        }
        if !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) } catch {
                throw BedsideError(.database, "Cannot create the replica folder \(dir).", detail: "\(error)")
            }
        }
        chmod(dir, 0o700)
        let exists = (try? fm.attributesOfItem(atPath: path)[.size] as? Int64).map { $0 > 0 } ?? false
        if exists {
            try check(path: path, identity: identity)
        } else {
            // Created 0600 before SQLite sees it; SQLite gives the WAL and SHM files the same mode.
            let fd = Glibc.open(path, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 { throw BedsideError(.database, "Cannot create the replica \(path): \(String(cString: strerror(errno))).") }
            Glibc.close(fd)
        }
        chmod(path, 0o600)
        let database = try BedsideDatabase(path: path)
        let replica = Replica(database: database, identity: identity, limits: limits, now: now)
        if !exists {
            let created = now().timeIntervalSince1970
            try database.writeNow { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO replica_meta(id, gateway_url, subject, created_at) VALUES (1, ?, ?, ?)",
                    arguments: [identity.gatewayURL, identity.subject, created])
            }
        }
        for suffix in ["-wal", "-shm"] where fm.fileExists(atPath: path + suffix) { chmod(path + suffix, 0o600) }
        // Opening is synchronous (the console and `ask` open the replica lazily, once).
        let cutoff = limits.maxAge.map { now().timeIntervalSince1970 - $0 }
        _ = try database.writeNow { db in try Self.evict(db, limits: limits, cutoff: cutoff) }
        return replica
    }

    init(database: BedsideDatabase, identity: ReplicaIdentity, limits: ReplicaLimits, now: @escaping @Sendable () -> Date) {
        self.database = database
        self.identity = identity
        self.limits = limits
        self.now = now
    }

    /// Refuses a file that is not this identity's replica, without writing to it.
    static func check(path: String, identity: ReplicaIdentity) throws {
        let found = try readIdentity(path: path)
        guard found == identity else {
            throw BedsideError(
                .databaseInvalid,
                "\(path) is the replica of \(found.gatewayURL) for \(found.subject), not of \(identity.gatewayURL) for \(identity.subject), so Bedside will not use it. Nothing was changed. Move it away to start a new replica, or use --no-replica."
            )
        }
    }

    /// The identity stored in a replica file, read without writing; a file that is not a
    /// sound replica is an error naming it.
    public static func readIdentity(path: String) throws -> ReplicaIdentity {
        func foreign(_ why: String, _ detail: String? = nil) -> BedsideError {
            BedsideError(
                .databaseInvalid,
                "\(path) is not a Bedside replica (\(why)), so Bedside will not use it. Nothing was changed. Move it away to start a new replica, or use --no-replica.",
                detail: detail)
        }
        do { try BedsideDatabase.checkHeader(path: path) } catch {
            throw foreign("it is not a SQLite database")
        }
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                let check = try String.fetchOne(db, sql: "PRAGMA quick_check") ?? ""
                guard check == "ok" else { throw foreign("it is damaged", check) }
                guard try db.tableExists("replica_meta") else { throw foreign("it has no replica identity") }
                guard let row = try Row.fetchOne(db, sql: "SELECT gateway_url, subject FROM replica_meta WHERE id = 1") else {
                    throw foreign("its identity row is missing")
                }
                return ReplicaIdentity(gatewayURL: row["gateway_url"], subject: row["subject"])
            }
        } catch let e as BedsideError {
            throw e
        } catch let e as DatabaseError where e.resultCode == .SQLITE_NOTADB || e.resultCode == .SQLITE_CORRUPT {
            throw foreign("it is damaged", e.description)
        } catch {
            throw BedsideDatabase.mapError(error, path: path)
        }
    }

    // MARK: - AnswerReplica

    public func record(_ answer: Answer) async throws {
        var a = answer
        if a.answerID == nil || a.answerID?.isEmpty == true { a.answerID = "local-" + UUID().uuidString.lowercased() }
        let stored = a
        let body = try StoredJSON.encode(stored)
        let received = now().timeIntervalSince1970
        let chunks = Set((stored.citations + stored.nearestSources).map(\.chunkID))
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO replica_answer(id, question, normalized_question, body, refused, model, index_version, created_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.answerID, stored.question, stored.question.normalizedQuestion, body, stored.refused,
                    stored.model, stored.indexVersion, stored.createdAt.timeIntervalSince1970, received,
                ])
            for chunk in chunks {
                try db.execute(sql: "INSERT OR IGNORE INTO replica_citation(answer_id, chunk_id) VALUES (?, ?)", arguments: [stored.answerID, chunk])
            }
        }
        try await enforceLimits()
    }

    public func record(_ source: SourceDocument, indexVersion: Int) async throws {
        let hash = Self.contentHash(source)
        let metadata = try StoredJSON.encode(source.metadata)
        let spans = try StoredJSON.encode(source.spans)
        let fetched = now().timeIntervalSince1970
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO replica_document(content_hash, document_id, title, text, metadata, spans) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [hash, source.documentID, source.title, source.documentText, metadata, spans])
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO replica_source(chunk_id, content_hash, title, section, passage, start, "end", index_version, fetched_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    source.chunkID, hash, source.title, source.section, source.passage, source.start, source.end,
                    indexVersion, fetched,
                ])
            try Self.dropOrphans(db)
        }
    }

    public func holdsSource(for citation: Citation) async throws -> Bool {
        try await database.read { db in
            guard let passage = try String.fetchOne(db, sql: "SELECT passage FROM replica_source WHERE chunk_id = ?", arguments: [citation.chunkID])
            else {
                return false
            }
            // A changed document (re-ingested) cites different text under the same id: fetch it again.
            return citation.text.isEmpty || passage == citation.text
        }
    }

    public func latestAnswer(question: String) async throws -> Answer? {
        let key = question.normalizedQuestion
        guard !key.isEmpty else { return nil }
        return try await database.read { db in
            guard
                let body = try String.fetchOne(
                    db, sql: "SELECT body FROM replica_answer WHERE normalized_question = ? ORDER BY created_at DESC, received_at DESC LIMIT 1",
                    arguments: [key])
            else { return nil }
            return try StoredJSON.decode(Answer.self, body)
        }
    }

    public func answer(id: String) async throws -> Answer? {
        try await database.read { db in
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM replica_answer WHERE id = ?", arguments: [id]) else { return nil }
            return try StoredJSON.decode(Answer.self, body)
        }
    }

    public func history(query: String?, limit: Int) async throws -> [HistoryEntry] {
        try await database.read { db in
            var request = Table("replica_answer").select(sql: "id, question, refused, model, index_version, created_at")
            if let q = query?.normalizedQuestion, !q.isEmpty {
                request = request.filter(sql: "normalized_question LIKE ? ESCAPE '\\'", arguments: [q.likeContainsPattern])
            }
            return try request.order(Column("created_at").desc, Column("received_at").desc).limit(max(1, min(limit, 10_000))).fetchAll(db)
                .map(BedsideDatabase.historyEntry)
        }
    }

    public func source(chunkID: Int64) async throws -> SourceDocument? {
        try await database.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.chunk_id, s.title, s.section, s.passage, s.start, s."end", d.document_id, d.text, d.metadata, d.spans
                        FROM replica_source s JOIN replica_document d ON d.content_hash = s.content_hash WHERE s.chunk_id = ?
                        """, arguments: [chunkID])
            else { return nil }
            return SourceDocument(
                chunkID: row["chunk_id"], documentID: row["document_id"], title: row["title"], section: row["section"],
                passage: row["passage"], documentText: row["text"], start: row["start"], end: row["end"],
                metadata: (try? StoredJSON.decode([String: JSONValue].self, row["metadata"])) ?? [:],
                spans: (try? StoredJSON.decode([SourceDocument.Span].self, row["spans"])) ?? [])
        }
    }

    // MARK: - Sync, bounds, reports

    public func markSynced() async throws {
        let at = now().timeIntervalSince1970
        try await database.write { db in try db.execute(sql: "UPDATE replica_meta SET last_sync_at = ? WHERE id = 1", arguments: [at]) }
    }

    /// Where an interrupted `bedside sync` with the same `since` stopped (the listing cursor
    /// after the last page it kept whole), kept in the database's `meta` table.
    public func syncCursor(since: String) async throws -> String? {
        try await database.read { db in
            guard let saved = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'replica_sync_since'"), saved == since else {
                return nil
            }
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'replica_sync_cursor'")
        }
    }

    /// Records progress (a cursor) or, with nil, a finished sync.
    public func saveSyncCursor(_ cursor: String?, since: String) async throws {
        try await database.write { db in
            if let cursor {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('replica_sync_since', ?), ('replica_sync_cursor', ?)",
                    arguments: [since, cursor])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key IN ('replica_sync_since', 'replica_sync_cursor')")
            }
        }
    }

    public func holdsAnswer(id: String) async throws -> Bool {
        try await database.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM replica_answer WHERE id = ?)", arguments: [id]) ?? false
        }
    }

    /// Bytes in use inside the file (pages not on the free list).
    static func usedBytes(_ db: GRDB.Database) throws -> Int64 {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        return (pages - free) * size
    }

    /// Drops answers older than the age limit, then the oldest answers until the file's used
    /// pages fit the size limit, with the documents only they cited. Returns how many answers went.
    @discardableResult
    public func enforceLimits() async throws -> Int {
        let limits = self.limits
        let cutoff = limits.maxAge.map { now().timeIntervalSince1970 - $0 }
        return try await database.write { db in try Self.evict(db, limits: limits, cutoff: cutoff) }
    }

    /// `enforceLimits` inside one write transaction (also run, blocking, when the file is opened).
    static func evict(_ db: GRDB.Database, limits: ReplicaLimits, cutoff: TimeInterval?) throws -> Int {
        var evicted = 0
        if let cutoff {
            try db.execute(sql: "DELETE FROM replica_answer WHERE created_at < ?", arguments: [cutoff])
            evicted += db.changesCount
        }
        if let maxBytes = limits.maxBytes {
            while try usedBytesAfterCleanup(db) > maxBytes {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM replica_answer") ?? 0
                if count == 0 { break }
                let batch = max(1, count / 10)
                try db.execute(
                    sql:
                        "DELETE FROM replica_answer WHERE id IN (SELECT id FROM replica_answer ORDER BY created_at ASC, received_at ASC LIMIT ?)",
                    arguments: [batch])
                evicted += db.changesCount
            }
        }
        if evicted > 0 { try dropOrphans(db) }
        return evicted
    }

    private static func usedBytesAfterCleanup(_ db: GRDB.Database) throws -> Int64 {
        try Self.dropOrphans(db)
        return try Self.usedBytes(db)
    }

    /// Passages no kept answer cites, and documents no kept passage points into.
    static func dropOrphans(_ db: GRDB.Database) throws {
        try db.execute(sql: "DELETE FROM replica_source WHERE chunk_id NOT IN (SELECT chunk_id FROM replica_citation)")
        try db.execute(sql: "DELETE FROM replica_document WHERE content_hash NOT IN (SELECT content_hash FROM replica_source)")
    }

    public func summary() async throws -> ReplicaSummary {
        let (path, identity) = (database.path, self.identity)
        return try await database.read { db in try Self.summary(db, path: path, identity: identity) }
    }

    /// A summary read without writing (for `doctor`, which must not migrate or create anything).
    public static func inspect(path: String) throws -> ReplicaSummary {
        let identity = try readIdentity(path: path)
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in try summary(db, path: path, identity: identity) }
        } catch {
            throw BedsideDatabase.mapError(error, path: path)
        }
    }

    static func summary(_ db: GRDB.Database, path: String, identity: ReplicaIdentity) throws -> ReplicaSummary {
        let answers = try Int.fetchOne(db, sql: "SELECT count(*) FROM replica_answer") ?? 0
        let documents = try Int.fetchOne(db, sql: "SELECT count(*) FROM replica_document") ?? 0
        let oldest = try Double.fetchOne(db, sql: "SELECT min(created_at) FROM replica_answer")
        let newest = try Double.fetchOne(db, sql: "SELECT max(created_at) FROM replica_answer")
        let sync = try Double.fetchOne(db, sql: "SELECT last_sync_at FROM replica_meta WHERE id = 1")
        return ReplicaSummary(
            path: path, identity: identity, fileBytes: fileBytes(path), answers: answers, documents: documents,
            oldest: oldest.map(Date.init(timeIntervalSince1970:)), newest: newest.map(Date.init(timeIntervalSince1970:)),
            lastSync: sync.map(Date.init(timeIntervalSince1970:)))
    }

    /// The file with its WAL.
    static func fileBytes(_ path: String) -> Int64 {
        ["", "-wal"].reduce(Int64(0)) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int64) ?? 0)
        }
    }

    // MARK: - Names and hashes

    /// A document's content hash: FNV-1a 64 over its id and text, with the text's length.
    static func contentHash(_ source: SourceDocument) -> String {
        fnv1a(source.documentID + "\u{0}" + source.documentText) + "-" + String(source.documentText.utf8.count, radix: 16)
    }

    static func fnv1a(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    static func slug(_ s: String) -> String {
        let mapped = s.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || c == "." || c == "_")) ? Character(c) : "_"
        }
        let out = String(mapped.prefix(40))
        return out.isEmpty ? "_" : out
    }
}
