import Core
import Foundation
import Testing

@testable import Inference

/// A tiny in-memory Qdrant speaking the documented REST shapes, to check what the client
/// sends and how it reads answers. (The live tests use the real engine.)
final class FakeQdrant: Sendable {
    struct Point: Sendable {
        var vector: [Double]
        var payload: [String: JSONValue]
    }
    typealias State = Locked<(size: Int?, points: [UInt64: Point], indexed: [String])>
    private let state: State
    let transport: ScriptedTransport

    init(apiKey: String? = nil) {
        let state = State((nil, [:], []))
        self.state = state
        transport = ScriptedTransport { r, _ in FakeQdrant.handle(r, state: state, apiKey: apiKey) }
    }

    var points: [UInt64: Point] { state.current.points }
    var indexedFields: [String] { state.current.indexed }

    static func ok(_ result: String) -> TransportResponse { ScriptedTransport.json(200, "{\"result\":\(result),\"status\":\"ok\",\"time\":0.001}") }
    static func fail(_ status: Int, _ message: String) -> TransportResponse {
        ScriptedTransport.json(status, "{\"status\":{\"error\":\"\(message)\"},\"time\":0.0}")
    }

    static func handle(_ r: TransportRequest, state: State, apiKey: String?) -> TransportResponse {
        if let apiKey, r.headers["api-key"] != apiKey { return fail(401, "Must provide an API key or an Authorization bearer token") }
        let url = r.url.replacingOccurrences(of: "http://q.test:6333", with: "")
        let body = (r.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) }) as? [String: Any] ?? [:]
        let (size, points) = (state.current.size, state.current.points)
        switch (r.method, url) {
        case (.GET, "/healthz"): return ScriptedTransport.json(200, "healthz check passed")
        case (.GET, "/collections/c"):
            guard let size else { return fail(404, "Not found: Collection `c` doesn't exist!") }
            return ok(
                "{\"status\":\"green\",\"points_count\":\(points.count),\"config\":{\"params\":{\"vectors\":{\"size\":\(size),\"distance\":\"Cosine\"}}}}"
            )
        case (.PUT, "/collections/c"):
            if size != nil { return fail(409, "Wrong input: Collection `c` already exists!") }
            let v = body["vectors"] as? [String: Any]
            state.withLock { $0.size = v?["size"] as? Int }
            return ok("true")
        case (.DELETE, "/collections/c"):
            state.withLock { $0 = (nil, [:], []) }
            return ok("true")
        case (.PUT, "/collections/c/index?wait=true"):
            state.withLock { $0.indexed.append(body["field_name"] as? String ?? "?") }
            return ok("{\"operation_id\":1,\"status\":\"completed\"}")
        case (.PUT, "/collections/c/points?wait=true"):
            guard let size else { return fail(404, "Not found: Collection `c` doesn't exist!") }
            for p in body["points"] as? [[String: Any]] ?? [] {
                let v = (p["vector"] as? [NSNumber])?.map(\.doubleValue) ?? []
                guard v.count == size else { return fail(400, "Wrong input: Vector dimension error: expected dim: \(size), got \(v.count)") }
                guard let id = (p["id"] as? NSNumber)?.uint64Value else { return fail(400, "bad id") }
                let payload = (p["payload"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
                state.withLock {
                    $0.points[id] = Point(
                        vector: v, payload: payload.flatMap { try? JSONDecoder().decode([String: JSONValue].self, from: $0) } ?? [:])
                }
            }
            return ok("{\"operation_id\":2,\"status\":\"completed\"}")
        case (.POST, "/collections/c/points/query"):
            guard let size else { return fail(404, "Not found: Collection `c` doesn't exist!") }
            let q = (body["query"] as? [NSNumber])?.map(\.doubleValue) ?? []
            guard q.count == size else { return fail(400, "Wrong input: Vector dimension error: expected dim: \(size), got \(q.count)") }
            let limit = body["limit"] as? Int ?? 10
            let hits = points.filter { matches($0.value.payload, body["filter"]) }.map { id, p -> (UInt64, Double) in
                let dot = zip(p.vector, q).map(*).reduce(0, +)
                let n = sqrt(p.vector.map { $0 * $0 }.reduce(0, +)) * sqrt(q.map { $0 * $0 }.reduce(0, +))
                return (id, n > 0 ? dot / n : 0)
            }.sorted { $0.1 > $1.1 }.prefix(limit)
            return ok("{\"points\":[" + hits.map { "{\"id\":\($0.0),\"version\":1,\"score\":\($0.1)}" }.joined(separator: ",") + "]}")
        case (.POST, "/collections/c/points/delete?wait=true"):
            state.withLock { s in s.points = s.points.filter { !matches($0.value.payload, body["filter"]) } }
            return ok("{\"operation_id\":3,\"status\":\"completed\"}")
        case (.POST, "/collections/c/points/count"):
            return ok("{\"count\":\(points.filter { matches($0.value.payload, body["filter"]) }.count)}")
        default:
            return fail(404, "no route \(r.method) \(url)")
        }
    }

    static func matches(_ payload: [String: JSONValue], _ filter: Any?) -> Bool {
        guard let f = filter as? [String: Any], let must = f["must"] as? [[String: Any]] else { return true }
        return must.allSatisfy { c in
            let key = c["key"] as? String ?? ""
            let value = (c["match"] as? [String: Any])?["value"]
            if case .array(let arr)? = payload[key] { return arr.contains { $0.textValue == "\(value ?? "")" } }
            return payload[key]?.textValue == value.map { "\($0)" }
        }
    }
}

@Suite("Qdrant client and index")
struct QdrantClientTests {
    func client(_ f: FakeQdrant, key: String? = nil) -> QdrantClient {
        QdrantClient(baseURL: "http://q.test:6333/", apiKey: key, transport: f.transport, retry: RetryPolicy(maxAttempts: 2, sleep: { _ in }))
    }

    @Test func sendsTheDocumentedRequests() async throws {
        let f = FakeQdrant()
        let q = client(f)
        try await q.health()
        #expect(try await q.collectionInfo("c") == nil)
        #expect(try await q.createCollection("c", vectorSize: 3) == true)
        #expect(try await q.createCollection("c", vectorSize: 3) == false) // 409: exists
        #expect(try await q.collectionInfo("c")?.vectorSize == 3)
        try await q.createPayloadIndex("c", field: "doc_id")
        try await q.upsert(
            "c",
            points: [
                QdrantPoint(id: 1, vector: [1, 0, 0], payload: ["doc_id": .string("a"), "year": .string("2019")]),
                QdrantPoint(id: 2, vector: [0, 1, 0], payload: ["doc_id": .string("b"), "mesh": .array([.string("Sepsis")])]),
                QdrantPoint(id: 3, vector: [0.9, 0.1, 0], payload: ["doc_id": .string("b")]),
            ], batchSize: 2)
        let hits = try await q.query("c", vector: [1, 0, 0], limit: 2)
        #expect(hits.map(\.id) == [1, 3])
        let filtered = try await q.query("c", vector: [1, 0, 0], filter: .matching(["doc_id": "b"]), limit: 5)
        #expect(filtered.map(\.id) == [3, 2])
        #expect(try await q.query("c", vector: [1, 0, 0], filter: .matching(["mesh": "Sepsis"]), limit: 5).map(\.id) == [2])
        #expect(try await q.count("c") == 3)
        try await q.delete("c", filter: .matching(["doc_id": "b"]))
        #expect(try await q.count("c") == 1)

        let upsert = f.transport.requests.first { $0.url.hasSuffix("/points?wait=true") }!
        #expect(upsert.method == .PUT)
        let body = try JSONSerialization.jsonObject(with: Data(upsert.body!)) as! [String: Any]
        let first = (body["points"] as! [[String: Any]])[0]
        #expect(first["id"] as? Int == 1) // an unsigned integer, not a string
        let query = f.transport.requests.first {
            $0.url.hasSuffix("/points/query") && $0.body.map { String(decoding: $0, as: UTF8.self).contains("filter") } == true
        }!
        let qbody = String(decoding: query.body!, as: UTF8.self)
        // JSON object key order is not fixed: check the filter's parts.
        #expect(qbody.contains(#""key":"doc_id""#) && qbody.contains(#""match":{"value":"b"}"#) && qbody.contains(#""must":["#))
        #expect(qbody.contains(#""with_payload":true"#))
        #expect(qbody.contains(#""query":[1,0,0]"#))
        let create = f.transport.requests.first { $0.method == .PUT && $0.url.hasSuffix("/collections/c") }!
        #expect(
            String(decoding: create.body!, as: UTF8.self) == #"{"vectors":{"distance":"Cosine","size":3}}"#
                || String(decoding: create.body!, as: UTF8.self) == #"{"vectors":{"size":3,"distance":"Cosine"}}"#)
    }

    @Test func apiKeyHeader() async throws {
        let f = FakeQdrant(apiKey: "secret")
        await #expect { try await client(f).health() } throws: { ($0 as? BedsideError)?.message.contains("credentials") == true }
        try await client(f, key: "secret").health()
        #expect(f.transport.requests.last?.headers["api-key"] == "secret")
    }

    @Test func wrongDimensionIsAClearError() async throws {
        let f = FakeQdrant()
        let q = client(f)
        try await q.createCollection("c", vectorSize: 3)
        await #expect { try await q.upsert("c", points: [QdrantPoint(id: 1, vector: [1, 0], payload: [:])]) } throws: {
            ($0 as? BedsideError)?.code == .dimensionMismatch
        }
        await #expect { try await q.query("c", vector: [1, 0], limit: 1) } throws: { ($0 as? BedsideError)?.code == .dimensionMismatch }
        // The index checks before writing anything.
        let index = QdrantVectorIndex(client: q, collection: "c")
        await #expect { try await index.upsert([VectorRecord(chunkID: 1, documentID: "d", vector: [1, 0, 0, 0])]) } throws: {
            let e = $0 as? BedsideError
            return e?.code == .dimensionMismatch && e?.message.contains("3-dimensional") == true && e?.message.contains("4-dimensional") == true
        }
        await #expect { try await index.search([1, 0], limit: 1, filters: [:]) } throws: { ($0 as? BedsideError)?.code == .dimensionMismatch }
    }

    @Test func qdrantDownIsInferenceUnavailable() async throws {
        let down = ScriptedTransport { _, _ in throw TransportError.connection("Connection refused (errno: 111)") }
        let q = QdrantClient(baseURL: "http://q.test:6333", transport: down, retry: RetryPolicy(maxAttempts: 3, sleep: { _ in }))
        let index = QdrantVectorIndex(client: q, collection: "c")
        await #expect { try await index.search([1, 0, 0], limit: 3, filters: [:]) } throws: {
            ($0 as? BedsideError)?.code == .inferenceUnavailable
        }
        #expect(down.requests.count == 3)
    }

    @Test func indexCreatesTheCollectionAndPayloadIndexOnFirstUse() async throws {
        let f = FakeQdrant()
        let index = QdrantVectorIndex(client: client(f), collection: "c")
        #expect(try await index.search([1, 0, 0], limit: 3, filters: [:]).isEmpty) // nothing ingested yet: no error
        #expect(try await index.count() == 0)
        let payload = QdrantVectorIndex.payload(
            documentID: "doc", chunkID: 7, title: "T", section: "S",
            metadata: ["year": .number(2019), "mesh": .array([.string("A"), .number(1)]), "title": .string("shadow")])
        #expect(payload["year"] == .string("2019"))
        #expect(payload["mesh"] == .array([.string("A"), .string("1")]))
        #expect(payload["title"] == .string("T"))
        try await index.upsert([
            VectorRecord(chunkID: 7, documentID: "doc", vector: [1, 0, 0], payload: payload),
            VectorRecord(chunkID: 8, documentID: "other", vector: [0.8, 0.2, 0], payload: ["year": .string("2020")]),
        ])
        #expect(f.indexedFields == ["doc_id"])
        #expect(f.points[7]?.payload["chunk_id"] == .number(7))
        #expect(try await index.search([1, 0, 0], limit: 5, filters: [:]).map(\.chunkID) == [7, 8])
        #expect(try await index.search([1, 0, 0], limit: 5, filters: ["source_id": "other"]).map(\.chunkID) == [8])
        #expect(try await index.search([1, 0, 0], limit: 5, filters: ["year": "2019"]).map(\.chunkID) == [7])
        try await index.deleteDocument("doc")
        #expect(try await index.count() == 1)
    }
}
