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
        page("/v1/answers", [("since", since), ("cursor", cursor)], limit: limit)
    }

    func source(chunkID: Int64) -> String { base + "/v1/sources/\(chunkID)" }

    func history(query: String?, limit: Int) -> String { page("/v1/history", [("q", query)], limit: limit) }

    /// A paged list's URL: the parameters that have a value, then `limit` (at least 1).
    private func page(_ path: String, _ parameters: [(name: String, value: String?)], limit: Int) -> String {
        let items = parameters.compactMap { p in p.value.flatMap { $0.isEmpty ? nil : p.name + "=" + Self.queryValue($0) } }
        return base + path + "?" + (items + ["limit=\(max(1, limit))"]).joined(separator: "&")
    }

    /// The host and port, for the status bar.
    var display: String {
        guard let range = base.range(of: "://") else { return base }
        return String(base[range.upperBound...])
    }

    static func queryValue(_ s: String) -> String { escaped(s, keeping: .urlQueryAllowed, except: "&+=?#/") }

    static func pathComponent(_ s: String) -> String { escaped(s, keeping: .urlPathAllowed, except: "/?#") }

    /// `s` percent-encoded but for the characters of `allowed` not in `separators`.
    private static func escaped(_ s: String, keeping allowed: CharacterSet, except separators: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: allowed.subtracting(CharacterSet(charactersIn: separators))) ?? s
    }
}
