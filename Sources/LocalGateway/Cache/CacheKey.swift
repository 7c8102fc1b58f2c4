import Core
import Crypto

/// The response-cache identity of a question.
///
/// `key` hashes the normalised question, the filters (sorted), top_k, the index version
/// and the model; `lineage` is the same without the index version, so that after a
/// re-index the previous answer can still be found and served as stale when inference fails.
/// Fields are length-prefixed before hashing, so no choice of text can make two different
/// requests collide by shifting a separator.
public struct CacheKey: Sendable, Hashable {
    public var key: String
    public var lineage: String

    public init(request: QueryRequest, indexVersion: Int, model: String) {
        var base = "bedside-cache-v1"
        func field(_ s: String) { base += "|\(s.utf8.count):\(s)" }
        field(request.question.normalizedQuestion)
        let filters = request.filters.sorted { $0.key == $1.key ? $0.value < $1.value : $0.key < $1.key }
        field(String(filters.count))
        for (k, v) in filters { field(k); field(v) }
        field(String(request.topK))
        field(model)
        lineage = Hex.encode(SHA256.hash(data: Array(base.utf8)))
        field(String(indexVersion))
        key = Hex.encode(SHA256.hash(data: Array(base.utf8)))
    }
}
