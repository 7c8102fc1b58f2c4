import Core

/// Recently parsed `POST /v1/query` bodies, keyed by their exact bytes.
///
/// A question asked again (the cached, hot case) arrives as the same bytes; reusing its
/// parsed and validated `QueryRequest` and its cache key skips JSON decoding, validation,
/// normalisation and two SHA-256s, which together cost more than the rest of a cache hit.
/// Only valid bodies are remembered; the key is recomputed when the index version, model or retriever changes.
final class QueryMemo: Sendable {
    private struct Entry: Sendable {
        var query: QueryRequest
        var key: CacheKey?
        var indexVersion = 0
        var model = ""
        var retriever = ""
    }

    /// Bodies larger than this are parsed every time (they are rarely repeated).
    static let maxBodyBytes = 2048
    private let entries = Locked<[[UInt8]: Entry]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// The validated request for `body`.
    func query(_ body: [UInt8]) throws -> QueryRequest {
        if let known = entries.withLock({ $0[body]?.query }) { return known }
        let query = try QueryBody.decode(body)
        remember(body) { $0 = Entry(query: query) }
        return query
    }

    /// The cache key of `body`'s request at this index version and model.
    func key(_ body: [UInt8], query: QueryRequest, indexVersion: Int, model: String, retriever: String) -> CacheKey {
        if let known = entries.withLock({ e -> CacheKey? in
            guard let entry = e[body], entry.indexVersion == indexVersion, entry.model == model,
                  entry.retriever == retriever else { return nil }
            return entry.key
        }) {
            return known
        }
        let key = CacheKey(request: query, indexVersion: indexVersion, model: model, retriever: retriever)
        remember(body) { entry in
            entry.key = key
            entry.indexVersion = indexVersion
            entry.model = model
            entry.retriever = retriever
        }
        return key
    }

    private func remember(_ body: [UInt8], _ update: (inout Entry) -> Void) {
        guard capacity > 0, body.count <= Self.maxBodyBytes else { return }
        entries.withLock { all in
            if all[body] == nil, all.count >= capacity { all.removeAll(keepingCapacity: true) }
            var entry = all[body] ?? Entry(query: QueryRequest(question: ""))
            update(&entry)
            all[body] = entry
        }
    }
}
