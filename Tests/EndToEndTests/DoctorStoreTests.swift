import Foundation
import TestSupport
import Testing

/// Issue 19 finding 6: `bedside doctor` connects to `[store] url` and probes it, showing the
/// URL with its password hidden. In the suite that owns the loopback PostgreSQL cluster.
extension SharedGatewayTests {
    @Test func doctorChecksTheStoreAndHidesItsPassword() async throws {
        let cluster = try PostgresCluster.running()
        var url = try #require(URLComponents(string: try await cluster.createDatabase(named: "doctor")))
        // The cluster trusts loopback, so any password connects; it must not be shown.
        url.percentEncodedPassword = "pwA%2FpwB%23pwC%3FpwD%40pwE%3ApwF%20pwG"
        let store = try #require(url.string)
        let s = try Scratch()
        defer { s.cleanup() }
        let env = ["XDG_CONFIG_HOME": s.file("cfg"), "BEDSIDE_STORE_URL": store]
        let r = try await Bin.run(["doctor", "--db", s.file("c.sqlite"), "--timeout", "5"], env: env)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        let line = r.stdout.split(separator: "\n").first { $0.hasPrefix("store ") }.map(String.init) ?? ""
        #expect(line.contains("ok: postgres://***@") && line.contains("PostgreSQL answered"), "\(r.stdout)")
        for fragment in ["pwA", "pwB", "pwC", "pwD", "pwE", "pwF", "pwG"] {
            #expect(!(r.stdout + r.stderr).contains(fragment), "doctor printed \(fragment): \(r.stdout)")
        }
    }
}
