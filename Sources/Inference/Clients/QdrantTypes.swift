import Core

/// A Qdrant point as upserted: an unsigned integer id (Bedside uses the chunk id), a dense
/// vector and a JSON payload.
public struct QdrantPoint: Encodable, Sendable, Hashable {
    public var id: UInt64
    public var vector: [Float]
    public var payload: [String: JSONValue]
}

/// A query result: id, score (cosine similarity for Cosine collections) and payload.
public struct QdrantScoredPoint: Decodable, Sendable, Hashable {
    /// The point id: an unsigned integer, or nil when the collection uses UUIDs.
    public var id: UInt64?
    public var uuid: String?
    public var score: Double
    public var payload: [String: JSONValue]?

    enum CodingKeys: String, CodingKey { case id, score, payload }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try? c.decode(UInt64.self, forKey: .id)
        uuid = id == nil ? try c.decode(String.self, forKey: .id) : nil
        score = try c.decode(Double.self, forKey: .score)
        payload = try c.decodeIfPresent([String: JSONValue].self, forKey: .payload)
    }
}

/// A Qdrant filter: every `must` condition holds. Conditions match a payload key exactly
/// (`{"key":"doc_id","match":{"value":"x"}}`); for an array payload, any element may match.
public struct QdrantFilter: Encodable, Sendable, Hashable {
    public struct Condition: Encodable, Sendable, Hashable {
        public struct Match: Encodable, Sendable, Hashable {
            public var value: JSONValue
        }
        public var key: String
        public var match: Match

        public init(key: String, value: JSONValue) {
            self.key = key
            self.match = Match(value: value)
        }
    }

    public var must: [Condition]

    /// Equality on each key, in key order (deterministic request bodies).
    public static func matching(_ pairs: [String: String]) -> QdrantFilter {
        QdrantFilter(must: pairs.sorted { $0.key < $1.key }.map { Condition(key: $0.key, value: .string($0.value)) })
    }
}

/// What Bedside needs to know about a collection.
public struct QdrantCollectionInfo: Sendable, Hashable {
    /// The dense vector size, nil when the collection uses named vectors.
    public var vectorSize: Int?
    public var distance: String?
    public var pointsCount: Int?
    public var status: String?
}
