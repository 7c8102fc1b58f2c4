import AsyncHTTPClient
import Core
import Foundation
import SQLiteStore

/// One line of `bedside doctor`.
public struct DoctorCheck: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok, failed
        /// Not set up; Bedside works without it (BM25, extractive answers, embedded index).
        case notConfigured = "not configured"
    }

    public var component: String
    public var status: Status
    /// What works or what does not, in plain words.
    public var message: String

    public var ok: Bool { status != .failed }

    public init(component: String, status: Status, message: String) {
        self.component = component
        self.status = status
        self.message = message
    }
}

/// Checks each configured component and says plainly what works: the database, the LLM
/// (`GET /v1/models`), the embedding server (a one-word request, and its dimension) and
/// Qdrant (`/healthz`, and the collection's vector size against the embedding model's).
public struct Doctor: Sendable {
    public var config: BedsideConfig
    public var databasePath: String?
    public var transport: any HTTPTransport
    /// Each network check's timeout.
    public var timeout: Duration = .seconds(10)

    /// All checks, in a fixed order: config, database, llm, embeddings, qdrant.
    public func run() async -> [DoctorCheck] {
        let first = [configCheck(), await databaseCheck(), await llmCheck()]
        let (embeddings, dim) = await embeddingsCheck()
        return (first + [embeddings, await qdrantCheck(embeddingDimension: dim)]).map {
            DoctorCheck(component: $0.component, status: $0.status, message: redacted($0.message))
        }
    }

    /// `text` without API keys or URL credentials (client errors quote the URL they tried).
    func redacted(_ text: String) -> String {
        ConfigRedaction.scrub(text, secrets: [config.llm?.apiKey, config.embeddings?.apiKey, config.qdrant?.apiKey].compactMap { $0 })
    }

    /// Checks for `Pipeline.componentChecks` / `/readyz`: "ok" or what is wrong; configured components only.
    public func componentChecks() -> [String: @Sendable () async -> String] {
        var checks: [String: @Sendable () async -> String] = [:]
        let doctor = self
        if config.llm != nil { checks["llm"] = { doctor.summary(await doctor.llmCheck()) } }
        if config.embeddings != nil { checks["embeddings"] = { doctor.summary(await doctor.embeddingsCheck().0) } }
        if config.qdrant != nil, config.index == .qdrant { checks["qdrant"] = { doctor.summary(await doctor.qdrantCheck(embeddingDimension: nil)) } }
        return checks
    }

    func summary(_ c: DoctorCheck) -> String { c.status == .failed ? redacted(c.message) : "ok" }

    static func elapsed(since start: ContinuousClock.Instant) -> String {
        let ms = (ContinuousClock.now - start).seconds * 1000
        return ms < 1000 ? "\(Int(ms.rounded())) ms" : String(format: "%.1f s", ms / 1000)
    }

    /// A network check of `component` at `url` (`body` gets its start time): `body`'s verdict,
    /// or `failed` with what it threw.
    func probe(
        _ component: String, _ url: String, _ body: (ContinuousClock.Instant) async throws -> (DoctorCheck.Status, String)
    ) async -> DoctorCheck {
        do {
            let (status, message) = try await body(.now)
            return DoctorCheck(component: component, status: status, message: message)
        } catch {
            return DoctorCheck(component: component, status: .failed, message: "\(ConfigRedaction.url(url)): \(Self.explain(error))")
        }
    }

    static func explain(_ error: any Error) -> String {
        if let e = error as? BedsideError { return e.detail.map { "\(e.message) (\($0))" } ?? e.message }
        return "\(error)"
    }

    func configCheck() -> DoctorCheck {
        let source = config.sourceFile.map { "read \($0)" } ?? "no config file (\(config.configFile))"
        let keys = [("llm", config.llm?.apiKey), ("embeddings", config.embeddings?.apiKey), ("qdrant", config.qdrant?.apiKey)]
            .filter { !($0.1 ?? "").isEmpty }.map(\.0)
        let secrets = keys.isEmpty ? "" : "; API keys set for \(keys.joined(separator: ", ")) \(ConfigRedaction.redacted)"
        return DoctorCheck(
            component: "config", status: .ok,
            message:
                "\(source); retriever \(config.retriever.rawValue), index \(config.index.rawValue)\(secrets); `bedside config` shows every setting and where it came from"
        )
    }

    func databaseCheck() async -> DoctorCheck {
        guard let path = databasePath else { return DoctorCheck(component: "database", status: .notConfigured, message: "no database path") }
        guard FileManager.default.fileExists(atPath: path) else {
            return DoctorCheck(component: "database", status: .notConfigured, message: "no database yet at \(path); `bedside ingest` creates it")
        }
        do {
            let db = try BedsideDatabase(path: path)
            defer { try? db.close() }
            let (docs, chunks) = try await db.counts()
            var msg = "\(path): \(docs) documents, \(chunks) passages, index version \(try await db.indexVersion())"
            if let e = config.embeddings {
                let n = try await db.embeddingCount(model: e.model)
                msg += "; \(n) embedded vectors for \(e.model)"
            }
            return DoctorCheck(component: "database", status: .ok, message: msg)
        } catch {
            return DoctorCheck(component: "database", status: .failed, message: Self.explain(error))
        }
    }

    func llmCheck() async -> DoctorCheck {
        guard let l = config.llm else {
            return DoctorCheck(
                component: "llm", status: .notConfigured, message: "answers are extractive (quoted from sources); set BEDSIDE_LLM_URL to use a model")
        }
        let client = OpenAIChatClient(baseURL: l.url, model: l.model, apiKey: l.apiKey, transport: transport)
        return await probe("llm", l.url) { start in
            let models = try await client.listModels(timeout: timeout)
            let served = models.isEmpty ? "no models listed" : "serves " + models.prefix(5).joined(separator: ", ")
            let named = models.contains(l.model) ? "" : " (requests name \"\(l.model)\"; single-model servers ignore the name)"
            return (.ok, "\(ConfigRedaction.url(l.url)) answered in \(Self.elapsed(since: start)); \(served)\(named)")
        }
    }

    func embeddingsCheck() async -> (DoctorCheck, Int?) {
        guard let e = config.embeddings else {
            return (
                DoctorCheck(
                    component: "embeddings", status: .notConfigured,
                    message: "retrieval is BM25 only; set BEDSIDE_EMBED_URL for vector and hybrid retrieval"), nil
            )
        }
        let client = OpenAIEmbeddingClient(baseURL: e.url, model: e.model, apiKey: e.apiKey, transport: transport, retry: .none, timeout: timeout)
        var dimension: Int?
        let check = await probe("embeddings", e.url) { start in
            let v = try await client.embed(["bedside"])
            let dim = v.first?.count ?? 0
            let norm = VectorMath.dot(v[0], v[0]).squareRoot()
            dimension = dim
            return (
                .ok,
                "\(ConfigRedaction.url(e.url)) model \(e.model): \(dim)-dimensional vectors (norm \(String(format: "%.2f", norm))) in \(Self.elapsed(since: start))"
            )
        }
        return (check, dimension)
    }

    func qdrantCheck(embeddingDimension: Int?) async -> DoctorCheck {
        guard let q = config.qdrant else {
            return DoctorCheck(
                component: "qdrant", status: .notConfigured,
                message: "vectors stay in the embedded SQLite index; set BEDSIDE_QDRANT_URL to use Qdrant")
        }
        let client = QdrantClient(baseURL: q.url, apiKey: q.apiKey, transport: transport, retry: .none, timeout: timeout)
        return await probe("qdrant", q.url) { start in
            try await client.health()
            let healthy = "\(ConfigRedaction.url(q.url)) healthy in \(Self.elapsed(since: start))"
            guard let info = try await client.collectionInfo(q.collection) else {
                return (.ok, "\(healthy); collection \(q.collection) not created yet (ingest creates it)")
            }
            let size = info.vectorSize.map(String.init) ?? "named vectors"
            let points = info.pointsCount.map { ", \($0) points" } ?? ""
            if let dim = embeddingDimension, info.vectorSize != dim {
                return (
                    .failed,
                    "\(healthy); collection \(q.collection) holds \(size)-dimensional vectors but the embedding model makes \(dim)-dimensional ones: use another BEDSIDE_QDRANT_COLLECTION or delete it and re-ingest"
                )
            }
            return (.ok, "\(healthy); collection \(q.collection): \(size) dimensions, \(info.distance ?? "?") distance\(points)")
        }
    }
}

/// In an extension, so the memberwise init (with a `transport`, for tests) stays.
extension Doctor {
    public init(config: BedsideConfig, databasePath: String?, httpClient: HTTPClient, timeout: Duration = .seconds(10)) {
        self.init(config: config, databasePath: databasePath, transport: AsyncHTTPClientTransport(client: httpClient), timeout: timeout)
    }
}
