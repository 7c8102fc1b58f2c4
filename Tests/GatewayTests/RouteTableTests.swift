import Testing

@testable import LocalGateway

/// The 405 table is read back from the router, so it lists exactly what is registered.
@Suite("Route table")
struct RouteTableTests {
    @Test func tableIsReadFromTheRegisteredRoutes() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let table = RouteTable(registered: test.gateway.makeRouter().routes)
        let read = ["GET", "HEAD"]
        let expected: [(String, [String])] = [
            ("/v1/query", ["POST"]), ("/v1/answers", read), ("/v1/answers/3f2a", read), ("/v1/history", read),
            ("/v1/audit", read), ("/v1/sources/12", read), ("/healthz", read), ("/readyz", read), ("/metrics", read),
        ]
        for (path, methods) in expected { #expect(table.allowedMethods(path: path) == methods, "\(path)") }
        for path in ["/", "/v1", "/v1/nope", "/v1/answers/a/b", "/healthz/x"] { #expect(table.allowedMethods(path: path).isEmpty, "\(path)") }
    }
}
