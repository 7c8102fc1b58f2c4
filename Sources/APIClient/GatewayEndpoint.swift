import Foundation

/// The gateway's URLs, built from its base URL. Pure, so it is tested without a server.
struct GatewayEndpoint: Sendable, Hashable {
    /// The base URL without a trailing slash (`http://127.0.0.1:8787`).
    let base: String

    init(_ baseURL: String) {
        var b = baseURL.trimmingCharacters(in: .whitespaces)
        while b.hasSuffix("/") { b.removeLast() }
        if !b.contains("://") { b = "http://" + b }
        base = b
    }

    var query: String { base + "/v1/query" }
    var ready: String { base + "/readyz" }

    func answer(id: String) -> String { base + "/v1/answers/" + Self.pathComponent(id) }

    func answerList(since: String?, cursor: String?, limit: Int) -> String {
        var items: [String] = []
        if let since, !since.isEmpty { items.append("since=" + Self.queryValue(since)) }
        if let cursor, !cursor.isEmpty { items.append("cursor=" + Self.queryValue(cursor)) }
        items.append("limit=\(max(1, limit))")
        return base + "/v1/answers?" + items.joined(separator: "&")
    }

    func source(chunkID: Int64) -> String { base + "/v1/sources/\(chunkID)" }

    func history(query: String?, limit: Int) -> String {
        var items: [String] = []
        if let query, !query.isEmpty { items.append("q=" + Self.queryValue(query)) }
        items.append("limit=\(max(1, limit))")
        return base + "/v1/history?" + items.joined(separator: "&")
    }

    /// The host and port, for the status bar.
    var display: String {
        guard let range = base.range(of: "://") else { return base }
        return String(base[range.upperBound...])
    }

    static func queryValue(_ s: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=?#/")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    static func pathComponent(_ s: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
