import Core
import Foundation

/// The gateway's shared state: everything that must agree between gateway instances that
/// serve one hospital. The audit trail, answers and history, the response cache, token
/// records and revocations, and the rate-limit buckets.
///
/// `BedsideDatabase` (one SQLite file) is the embedded default and the only store a single
/// machine needs. `PostgresGatewayState` (target `PostgresStore`) lets several `bedside serve`
/// instances share one PostgreSQL database. Documents and the retrieval index are not part
/// of this: they stay in SQLite or Qdrant.
///
/// Every read that returns answers takes the asking subject and never returns another
/// subject's records (promise 2); nil `subject` is for local tools on the file only.
public protocol GatewayStateStore: Sendable {
    /// Where the state lives, for logs and `bedside config` (never a password).
    var stateDescription: String { get }

    // MARK: Audit trail

    /// Appends a row at the end of the one hash chain and returns its id once it is durable.
    @discardableResult func appendAudit(_ record: AuditRecord) async throws -> Int64
    /// The same for code that must not wait (the gateway's event loop): `done` gets the id, on
    /// any thread, once the row is durable. `sourcesJSON` is the row's sources as the chain
    /// hashes them, when already known.
    func appendAudit(_ record: AuditRecord, sourcesJSON: String?, done: @escaping @Sendable (Result<Int64, any Error>) -> Void)
    /// Rows matching `query`: newest first when it has a limit, else oldest first.
    func auditRecords(_ query: AuditQuery) async throws -> [AuditRecord]
    /// Matching rows oldest first, one page at a time.
    func forEachAuditPage(_ query: AuditQuery, pageSize: Int, _ body: ([AuditRecord]) async throws -> Void) async throws
    /// Walks the whole chain and compares its end with the store's head record and with
    /// `checkpoints` (signatures already checked); throws `AuditChainBreak` at the first
    /// broken row, or naming the rows missing at the end (`AuditChainWalk`).
    func verifyAuditChain(against checkpoints: [AuditCheckpoint]) async throws -> AuditChainSummary

    /// Records `fingerprint` (of this gateway's token secret, never the secret) when the store
    /// holds none yet, and returns the one it holds; nil when the store keeps none. Gateways
    /// sharing a store must sign and check tokens with one secret, so a gateway whose
    /// fingerprint differs refuses to start (`Gateway.init`).
    func claimTokenSecretFingerprint(_ fingerprint: String) async throws -> String?

    // MARK: Answers and history

    /// Saves an answer for `subject` (assigning an id when it has none) and returns it with its id.
    @discardableResult func saveAnswer(_ answer: Answer, subject: String?, originID: String?) async throws -> Answer
    /// The answer with `id` when it belongs to `subject`.
    func answer(id: String, subject: String?) async throws -> Answer?
    /// `subject`'s own record of the answer `originID` asked in exactly the words `question`
    /// (each wording a subject sends has its own record, so no one is shown another's text).
    func ownAnswer(originID: String, subject: String, question: String) async throws -> Answer?
    /// `subject`'s history, newest first, optionally filtered by words of the question.
    func history(query: String?, limit: Int, subject: String?) async throws -> [HistoryEntry]
    /// How many answers of `subject` were created at or after `since`.
    func answerCount(subject: String, since: Date?) async throws -> Int
    /// A page of `subject`'s answers, oldest first, after `after`.
    func answers(subject: String, since: Date?, after: AnswerListPosition?, limit: Int) async throws -> (
        items: [Answer], next: AnswerListPosition?
    )

    // MARK: Response cache

    func cacheEntry(key: String) async throws -> CacheEntry?
    /// The newest entry of a lineage (same question, any index version or model): stale-if-error.
    func latestCacheEntry(lineage: String) async throws -> CacheEntry?
    func putCacheEntry(_ entry: CacheEntry) async throws

    // MARK: Tokens

    func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date, roles: [String]) async throws
    func issuedTokens(subject: String?) async throws -> [IssuedToken]
    func revokeToken(jti: String, at date: Date) async throws
    @discardableResult func revokeSubject(_ subject: String, at date: Date) async throws -> Int
    /// Revocations newer than `set.lastRowID`, merged into `set`.
    func refreshRevocations(_ set: RevocationSet) async throws -> RevocationSet

    // MARK: Rate limits

    /// Shared buckets, or nil when buckets are kept in process (one gateway per store).
    var sharedRateLimits: (any SharedRateLimitStore)? { get }

    /// Throws (`database_unavailable`) when the store cannot be reached now; `/readyz` asks,
    /// so a load balancer stops sending requests that could not be put on the record.
    func checkReachable() async throws

    /// Releases connections or file handles.
    func closeState() async throws
}

/// Token buckets kept in the shared store so that several gateways never grant more than
/// `capacity` between them: each take is one atomic update of the subject's row, timed by
/// the store's clock so instances with skewed clocks agree.
public protocol SharedRateLimitStore: Sendable {
    func takeToken(subject: String, capacity: Double, refillPerSecond: Double) async throws -> SharedBucketTake
}

/// The result of one take from a shared bucket.
public struct SharedBucketTake: Sendable, Hashable {
    public var allowed: Bool
    /// Tokens left after this take (fractional).
    public var tokens: Double

    public init(allowed: Bool, tokens: Double) {
        self.allowed = allowed
        self.tokens = tokens
    }
}

extension GatewayStateStore {
    /// A store without a callback writer appends in a task.
    public func appendAudit(_ record: AuditRecord, sourcesJSON: String?, done: @escaping @Sendable (Result<Int64, any Error>) -> Void) {
        Task {
            do { done(.success(try await appendAudit(record))) } catch { done(.failure(error)) }
        }
    }
    /// Verifies without checkpoints; returns the rows checked.
    public func verifyAuditChain() async throws -> Int { try await verifyAuditChain(against: []).rows }
    public func auditRecords() async throws -> [AuditRecord] { try await auditRecords(AuditQuery(limit: 100)) }
    public func forEachAuditPage(_ query: AuditQuery, _ body: ([AuditRecord]) async throws -> Void) async throws {
        try await forEachAuditPage(query, pageSize: 500, body)
    }
    @discardableResult public func saveAnswer(_ answer: Answer, subject: String?) async throws -> Answer {
        try await saveAnswer(answer, subject: subject, originID: nil)
    }
    public func history(limit: Int = 50, subject: String?) async throws -> [HistoryEntry] {
        try await history(query: nil, limit: limit, subject: subject)
    }
    public func recordIssuedToken(jti: String, subject: String, issuedAt: Date, expiresAt: Date) async throws {
        try await recordIssuedToken(jti: jti, subject: subject, issuedAt: issuedAt, expiresAt: expiresAt, roles: [])
    }
    public func issuedTokens() async throws -> [IssuedToken] { try await issuedTokens(subject: nil) }
    public func revokeToken(jti: String) async throws { try await revokeToken(jti: jti, at: Date()) }
    @discardableResult public func revokeSubject(_ subject: String) async throws -> Int { try await revokeSubject(subject, at: Date()) }
}
