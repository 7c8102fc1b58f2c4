/// The routes the gateway serves, for 405 answers (with `Allow`) and documentation.
enum RouteTable {
    static let routes: [(segments: [String], methods: [String])] = [
        (["v1", "query"], ["POST"]),
        (["v1", "answers"], ["GET", "HEAD"]),
        (["v1", "answers", "*"], ["GET", "HEAD"]),
        (["v1", "history"], ["GET", "HEAD"]),
        (["v1", "audit"], ["GET", "HEAD"]),
        (["v1", "sources", "*"], ["GET", "HEAD"]),
        (["healthz"], ["GET", "HEAD"]),
        (["readyz"], ["GET", "HEAD"]),
        (["metrics"], ["GET", "HEAD"]),
    ]

    /// Methods served on `path`, empty when no route has this shape.
    static func allowedMethods(path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for route in routes where route.segments.count == parts.count {
            if zip(route.segments, parts).allSatisfy({ $0 == "*" || $0 == $1 }) { return route.methods }
        }
        return []
    }

    /// A path safe to echo in an error message.
    static func printable(_ path: String) -> String {
        let cleaned = path.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)
        return cleaned.count > 120 ? String(cleaned.prefix(120)) + "…" : String(cleaned)
    }
}
