import Hummingbird

/// The routes the router serves, read back from it after registration (`Gateway.makeRouter`),
/// so a new route is written once and its 405 answer (with `Allow`) follows by itself.
struct RouteTable: Sendable {
    private let routes: [(path: RouterPath, methods: [String])]

    /// Every GET also answers HEAD: the router is built with `.autoGenerateHeadEndpoints`,
    /// which adds those only when the server starts, after this table is read.
    init(registered: [Router<GatewayRequestContext>.RouteDescription]) {
        routes = Dictionary(grouping: registered) { $0.path.description }.values.map { endpoint in
            let methods = endpoint.map(\.method.rawValue)
            return (endpoint[0].path, Set(methods + (methods.contains("GET") ? ["HEAD"] : [])).sorted())
        }
    }

    /// Methods served on `path`, empty when no route has this shape.
    func allowedMethods(path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for route in routes where route.path.components.count == parts.count {
            if zip(route.path.components, parts).allSatisfy({ $0 ~= $1 }) { return route.methods }
        }
        return []
    }

    /// A path safe to echo in an error message.
    static func printable(_ path: String) -> String {
        let cleaned = path.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)
        return cleaned.count > 120 ? String(cleaned.prefix(120)) + "…" : String(cleaned)
    }
}
