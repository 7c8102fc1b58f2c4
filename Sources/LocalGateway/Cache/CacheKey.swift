import Core
import Crypto
import SharedState

/// The response-cache identity of a question.
///
/// `key` hashes the normalised question, the filters (sorted), top_k, the model, the
/// retriever (a bm25 answer is not a hybrid one) and the index version; `lineage` hashes
/// only the question, filters and top_k, so that when inference fails the newest earlier answer can still be found and served as stale, even
/// after a re-index or a model change, and even by a gateway that has never reached
/// inference and so knows neither (offline replay). A stale answer names its own model.
/// Fields are length-prefixed before hashing, so no choice of text can make two different
/// requests collide by shifting a separator.
public struct CacheKey: Sendable, Hashable {
    public var key: String
    public var lineage: String

    public init(request: QueryRequest, indexVersion: Int, model: String, retriever: String = "") {
        var base = "bedside-cache-v2"
        func field(_ s: String) { base += "|\(s.utf8.count):\(s)" }
        field(request.question.normalizedQuestion)
        let filters = request.filters.sorted { $0.key == $1.key ? $0.value < $1.value : $0.key < $1.key }
        field(String(filters.count))
        for (k, v) in filters {
            field(k)
            field(v)
        }
        field(String(request.topK))
        lineage = AuditRecord.hex(SHA256.hash(data: Array(base.utf8)))
        field(model)
        field(retriever)
        field(String(indexVersion))
        key = AuditRecord.hex(SHA256.hash(data: Array(base.utf8)))
    }
}
