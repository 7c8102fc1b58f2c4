import Core
import Foundation

/// Qdrant's REST API (the subset Bedside uses), as documented at api.qdrant.tech:
/// health, collections, payload indexes, upsert, query, delete by filter and count.
///
/// Writes use `wait=true` so a finished ingest is searchable at once. Reads and idempotent
/// writes are retried with backoff on 429/5xx and connection failures. The `api-key`
/// header is sent when a key is configured.
public struct QdrantClient: Sendable {
    public let baseURL: String
    let caller: UpstreamCaller

    public init(
        baseURL: String, apiKey: String? = nil, transport: any HTTPTransport,
        retry: RetryPolicy = RetryPolicy(maxAttempts: 3), timeout: Duration = .seconds(30)
    ) {
        var b = baseURL
        while b.hasSuffix("/") { b.removeLast() }
        self.baseURL = b
        var headers: [String: String] = [:]
        if let apiKey, !apiKey.isEmpty { headers["api-key"] = apiKey }
        caller = UpstreamCaller(transport: transport, service: "Qdrant", retry: retry, timeout: timeout, headers: headers)
    }

    /// `{"result": …, "status": "ok", "time": …}`
    struct Envelope<T: Decodable>: Decodable {
        var result: T
    }

    func path(_ collection: String, _ rest: String = "") -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        let name = collection.addingPercentEncoding(withAllowedCharacters: allowed) ?? collection
        return baseURL + "/collections/" + name + rest
    }

    /// `GET /healthz`: throws unless Qdrant answers 200.
    public func health() async throws {
        _ = try await caller.call(.GET, baseURL + "/healthz")
    }

    /// `GET /collections/{c}`; nil when the collection does not exist (404).
    public func collectionInfo(_ collection: String) async throws -> QdrantCollectionInfo? {
        let url = path(collection)
        let (status, bytes) = try await caller.call(.GET, url, passThrough: { status, _ in status == 404 })
        if status == 404 { return nil }
        let envelope = try UpstreamCaller.decodeBody(Envelope<JSONValue>.self, bytes, service: caller.service, url: url)
        return Self.info(envelope.result)
    }

    static func info(_ result: JSONValue) -> QdrantCollectionInfo {
        func get(_ v: JSONValue?, _ key: String) -> JSONValue? {
            if case .object(let o)? = v { return o[key] } else { return nil }
        }
        let vectors = get(get(get(result, "config"), "params"), "vectors")
        var size: Int?
        if case .number(let n)? = get(vectors, "size") { size = Int(n) }
        var count: Int?
        if case .number(let n)? = get(result, "points_count") { count = Int(n) }
        return QdrantCollectionInfo(
            vectorSize: size, distance: get(vectors, "distance")?.textValue, pointsCount: count,
            status: get(result, "status")?.textValue)
    }

    /// `PUT /collections/{c}` with `{"vectors":{"size":N,"distance":"Cosine"}}`. Returns false
    /// when the collection already existed (409).
    @discardableResult
    public func createCollection(_ collection: String, vectorSize: Int, distance: String = "Cosine") async throws -> Bool {
        struct Body: Encodable {
            struct Vectors: Encodable {
                var size: Int
                var distance: String
            }
            var vectors: Vectors
        }
        let body = try UpstreamCaller.encode(Body(vectors: .init(size: vectorSize, distance: distance)))
        let (status, _) = try await caller.call(.PUT, path(collection), json: body, passThrough: { status, _ in status == 409 })
        return status != 409
    }

    /// `DELETE /collections/{c}`.
    public func deleteCollection(_ collection: String) async throws {
        _ = try await caller.call(.DELETE, path(collection), passThrough: { status, _ in status == 404 })
    }

    /// `PUT /collections/{c}/index?wait=true` with `{"field_name":…,"field_schema":"keyword"}`.
    public func createPayloadIndex(_ collection: String, field: String, schema: String = "keyword") async throws {
        struct Body: Encodable {
            var field_name: String
            var field_schema: String
        }
        let body = try UpstreamCaller.encode(Body(field_name: field, field_schema: schema))
        _ = try await caller.call(.PUT, path(collection, "/index?wait=true"), json: body)
    }

    /// `PUT /collections/{c}/points?wait=true`, in batches. Upserting the same ids again
    /// overwrites them, so a retried batch is harmless.
    public func upsert(_ collection: String, points: [QdrantPoint], batchSize: Int = 128) async throws {
        struct Body: Encodable { var points: [QdrantPoint] }
        for batch in points.batches(of: batchSize) {
            let body = try UpstreamCaller.encode(Body(points: Array(batch)))
            try await checked { _ = try await caller.call(.PUT, path(collection, "/points?wait=true"), json: body) }
        }
    }

    /// `POST /collections/{c}/points/query` with `{"query":[…],"filter":…,"limit":K,"with_payload":…}`;
    /// best first.
    public func query(
        _ collection: String, vector: [Float], filter: QdrantFilter? = nil, limit: Int,
        withPayload: Bool = true
    ) async throws -> [QdrantScoredPoint] {
        struct Body: Encodable {
            var query: [Float]
            var filter: QdrantFilter?
            var limit: Int
            var with_payload: Bool
        }
        struct Result: Decodable { var points: [QdrantScoredPoint] }
        let body = try UpstreamCaller.encode(Body(query: vector, filter: filter, limit: limit, with_payload: withPayload))
        return try await checked {
            try await caller.decode(Envelope<Result>.self, .POST, path(collection, "/points/query"), json: body).result.points
        }
    }

    /// `POST /collections/{c}/points/delete?wait=true` with `{"filter":…}`.
    public func delete(_ collection: String, filter: QdrantFilter) async throws {
        struct Body: Encodable { var filter: QdrantFilter }
        let body = try UpstreamCaller.encode(Body(filter: filter))
        _ = try await caller.call(.POST, path(collection, "/points/delete?wait=true"), json: body)
    }

    /// `POST /collections/{c}/points/count` with `{"filter":…,"exact":true}`.
    public func count(_ collection: String, filter: QdrantFilter? = nil, exact: Bool = true) async throws -> Int {
        struct Body: Encodable {
            var filter: QdrantFilter?
            var exact: Bool
        }
        struct Result: Decodable { var count: Int }
        let body = try UpstreamCaller.encode(Body(filter: filter, exact: exact))
        return try await caller.decode(Envelope<Result>.self, .POST, path(collection, "/points/count"), json: body).result.count
    }

    /// Runs a call that carries vectors, turning Qdrant's "Vector dimension error: expected
    /// dim: 384, got 2" into a `dimension_mismatch` error.
    func checked<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as BedsideError {
            let d = (e.detail ?? "").lowercased()
            if d.contains("dimension error") || d.contains("expected dim") {
                throw BedsideError(
                    .dimensionMismatch,
                    "The Qdrant collection's vector size differs from the embedding model's. Use another collection (BEDSIDE_QDRANT_COLLECTION) or delete this one and re-ingest.",
                    detail: e.detail)
            }
            throw e
        }
    }
}
