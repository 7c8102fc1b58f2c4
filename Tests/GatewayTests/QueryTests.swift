import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLiteStore
import Testing

@testable import LocalGateway

struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let status: HTTPResponse.Status
    let messageContains: String
    var testDescription: String { name }
}

let badInputs: [BadInput] = [
    BadInput(name: "empty body", body: [], status: .badRequest, messageContains: "empty"),
    BadInput(name: "not JSON", body: Array("question=sepsis".utf8), status: .badRequest, messageContains: "not valid JSON"),
    BadInput(name: "truncated JSON", body: Array(#"{"question": "sepsis"#.utf8), status: .badRequest, messageContains: "not valid JSON"),
    BadInput(name: "array instead of object", body: Array(#"["sepsis"]"#.utf8), status: .badRequest, messageContains: "JSON object"),
    BadInput(name: "missing question", body: Array(#"{"top_k": 3}"#.utf8), status: .badRequest, messageContains: #"needs a "question""#),
    BadInput(
        name: "question is a number", body: Array(#"{"question": 42}"#.utf8), status: .badRequest, messageContains: #""question" must be a string"#),
    BadInput(name: "question is null", body: Array(#"{"question": null}"#.utf8), status: .badRequest, messageContains: "question"),
    BadInput(name: "blank question", body: Array(#"{"question": "   "}"#.utf8), status: .badRequest, messageContains: "empty"),
    BadInput(
        name: "question too long", body: Array(#"{"question": "\#(String(repeating: "a", count: 2001))"}"#.utf8), status: .badRequest,
        messageContains: "too long"),
    BadInput(name: "top_k zero", body: Array(#"{"question": "sepsis", "top_k": 0}"#.utf8), status: .badRequest, messageContains: "top_k"),
    BadInput(name: "top_k too big", body: Array(#"{"question": "sepsis", "top_k": 51}"#.utf8), status: .badRequest, messageContains: "top_k"),
    BadInput(
        name: "top_k a string", body: Array(#"{"question": "sepsis", "top_k": "5"}"#.utf8), status: .badRequest,
        messageContains: #""top_k" must be a whole number"#),
    BadInput(name: "top_k fractional", body: Array(#"{"question": "sepsis", "top_k": 2.5}"#.utf8), status: .badRequest, messageContains: "top_k"),
    BadInput(
        name: "filters not an object", body: Array(#"{"question": "sepsis", "filters": ["a"]}"#.utf8), status: .badRequest, messageContains: "filters"
    ),
    BadInput(
        name: "filter value a number", body: Array(#"{"question": "sepsis", "filters": {"year": 2019}}"#.utf8), status: .badRequest,
        messageContains: "filters"),
    BadInput(
        name: "invalid UTF-8", body: Array(#"{"question": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), status: .badRequest, messageContains: "UTF-8"
    ),
    BadInput(
        name: "body over 64 KiB", body: Array(#"{"question": "\#(String(repeating: "a", count: 70_000))"}"#.utf8), status: .contentTooLarge,
        messageContains: "64 KiB"),
]

@Suite("Query route, lookups and errors")
struct QueryTests {
    @Test("bad input gets a clear error", arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let r = try await client.execute(
                uri: "/v1/query", method: .post, headers: .bearer(token, [.contentType: "application/json"]),
                body: ByteBuffer(bytes: input.body))
            #expect(r.status == input.status, "\(input.name): \(r.text)")
            #expect(r.errorCode == (input.status == .contentTooLarge ? "payload_too_large" : "bad_request"))
            #expect(r.errorMessage?.contains(input.messageContains) == true, "\(input.name): \(r.errorMessage ?? "")")
            #expect(r.headers[.rateLimitHeader] != nil)
        }
        #expect(inference.calls == 0)
    }

    @Test func unknownRoutesAndWrongMethods() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        try await test.app.test(.router) { client in
            let missing = try await client.execute(uri: "/nope", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            #expect(missing.headers[.contentType]?.hasPrefix("application/json") == true)
            let wrong = try await client.execute(uri: "/v1/query", method: .get)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "POST")
            #expect(wrong.errorCode == "method_not_allowed")
            let wrong2 = try await client.execute(uri: "/healthz", method: .post)
            #expect(wrong2.status == .methodNotAllowed)
            #expect(try await client.execute(uri: "/healthz", method: .head).status == .ok)
            #expect(try await client.execute(uri: "/healthz", method: .get).text == #"{"status":"ok","version":"\#(BedsideVersion.current)"}"#)
            let id = try #require(missing.headers[.xRequestID])
            #expect(id.count == 16)
            let echoed = try await client.execute(uri: "/healthz", method: .get, headers: [.xRequestID: "abc-123"])
            #expect(echoed.headers[.xRequestID] == "abc-123")
        }
        #expect(test.logs.requests.contains { $0["route"] as? String == "unmatched" && $0["status"] as? Int == 404 })
    }

    @Test func readinessFollowsInference() async throws {
        let inference = ScriptedInference(indexVersion: 7, model: "smollm2")
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        try await test.app.test(.router) { client in
            let ok = try await client.execute(uri: "/readyz", method: .get)
            #expect(ok.status == .ok)
            let status = try ok.decode(InferenceStatus.self)
            #expect(status.indexVersion == 7 && status.model == "smollm2" && status.ready)
            inference.currentStatus.ready = false
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
            inference.mode = .statusDown
            let down = try await client.execute(uri: "/readyz", method: .get)
            #expect(down.status == .serviceUnavailable)
            #expect(down.errorCode == "inference_unavailable")
        }
        let hanging = try await TestGateway.make(inference: HangingInference()) { $0.statusTimeout = 0.2 }
        defer { hanging.cleanup() }
        try await hanging.app.test(.router) { client in
            let r = try await client.execute(uri: "/readyz", method: .get)
            #expect(r.status == .serviceUnavailable)
            #expect(r.errorCode == "timeout")
        }
    }

    @Test func answerIsAuditedSavedAndReplayable() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token("dr.ada")
        let answer = try await test.app.test(.router) { client in
            try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody()).decode(Answer.self)
        }
        let id = try #require(answer.answerID)
        let audit = try #require(try await test.database.auditRecords().first)
        #expect(audit.subject == "dr.ada" && audit.answerID == id && audit.question == answer.question)
        #expect(audit.sources == ["sepsis#1"] && audit.model == "extractive" && audit.indexVersion == 1 && audit.outcome == "answered")
        #expect(audit.requestID?.count == 16)
        #expect(try await test.database.answer(id: id, subject: nil)?.answer == answer.answer)

        try await test.app.test(.router) { client in
            let replay = try await client.execute(uri: "/v1/answers/\(id)", method: .get, headers: .bearer(token))
            #expect(replay.status == .ok)
            #expect(try replay.decode(Answer.self).answerID == id)
            #expect(try await client.execute(uri: "/v1/answers/nope", method: .get, headers: .bearer(token)).status == .notFound)

            let history = try await client.execute(uri: "/v1/history?q=SEPSIS&limit=10", method: .get, headers: .bearer(token)).decode(
                HistoryPage.self)
            #expect(history.items.map(\.answerID) == [id])
            let empty = try await client.execute(uri: "/v1/history?q=heparin", method: .get, headers: .bearer(token)).decode(HistoryPage.self)
            #expect(empty.items.isEmpty)
            for bad in ["0", "1001", "ten"] {
                let r = try await client.execute(uri: "/v1/history?limit=\(bad)", method: .get, headers: .bearer(token))
                #expect(r.status == .badRequest)
            }
        }
        #expect(try await test.database.auditRecords().first?.outcome == "replay")
    }

    @Test func sourceShowsThePassageInItsDocument() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let text = "# Sepsis\nGive antibiotics within one hour.\n## Fluids\nGive 30 mL/kg crystalloid."
        let first = "Give antibiotics within one hour."
        let second = "Give 30 mL/kg crystalloid."
        let s1 = Array(text.utf8).firstRange(of: Array(first.utf8))!.lowerBound
        let s2 = Array(text.utf8).firstRange(of: Array(second.utf8))!.lowerBound
        let doc = Document(id: "sepsis", title: "Sepsis", text: text, metadata: ["year": .number(2021)])
        let chunks = [
            Chunk(documentID: "sepsis", ordinal: 0, sectionPath: ["Sepsis"], text: first, start: s1, end: s1 + first.utf8.count),
            Chunk(documentID: "sepsis", ordinal: 1, sectionPath: ["Sepsis", "Fluids"], text: second, start: s2, end: s2 + second.utf8.count),
        ]
        let ingest = try await test.database.ingest([(doc, chunks)])
        let chunkID = try #require(ingest.newChunkIDs.last)
        let token = try await test.token()
        try await test.app.test(.router) { client in
            let r = try await client.execute(uri: "/v1/sources/\(chunkID)", method: .get, headers: .bearer(token))
            #expect(r.status == .ok)
            let source = try r.decode(SourceDocument.self)
            #expect(source.passage == second && source.documentID == "sepsis" && source.title == "Sepsis")
            #expect(source.section == "Sepsis › Fluids")
            #expect(source.documentText.utf8Slice(source.start, source.end) == second)
            #expect(source.spans.count == 2 && source.spans[1].chunkID == chunkID)
            #expect(source.metadata["year"] == .number(2021))
            #expect(try await client.execute(uri: "/v1/sources/999999", method: .get, headers: .bearer(token)).status == .notFound)
            #expect(try await client.execute(uri: "/v1/sources/abc", method: .get, headers: .bearer(token)).status == .badRequest)
        }
    }

    @Test func metricsCountRequestsCacheAndErrors() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference)
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody())
            inference.mode = .fail(BedsideError(.upstream, "x"))
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("other"))
            _ = try await client.execute(uri: "/v1/history", method: .get)
            let r = try await client.execute(uri: "/metrics", method: .get)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = r.text
            #expect(text.contains(#"bedside_http_requests_total{route="/v1/query",method="POST",status="200"} 2"#))
            #expect(text.contains(#"bedside_http_requests_total{route="/v1/query",method="POST",status="503"} 1"#))
            #expect(text.contains(#"bedside_cache_lookups_total{result="hit"} 1"#))
            #expect(text.contains(#"bedside_cache_lookups_total{result="miss"} 2"#))
            #expect(text.contains(#"bedside_inference_errors_total{code="upstream_error"} 1"#))
            #expect(text.contains(#"bedside_auth_failures_total{reason="missing"} 1"#))
            #expect(text.contains("bedside_http_request_duration_seconds_bucket"))
        }
    }

    @Test func requestLogIsOneJSONLineWithTheAgreedFields() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let token = try await test.token("dr.ada")
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("Secret patient question"))
        }
        let line = try #require(test.logs.requests.first)
        #expect(line["request_id"] as? String != nil && line["ts"] as? String != nil && line["level"] as? String == "info")
        #expect(line["method"] as? String == "POST" && line["route"] as? String == "/v1/query" && line["status"] as? Int == 200)
        #expect(line["latency_ms"] as? Double != nil)
        #expect(line["cache"] as? String == "miss" && line["subject"] as? String == "dr.ada" && line["ratelimit_remaining"] as? Int != nil)
        #expect(line["question"] == nil)
        #expect(!test.logs.lines.joined().contains("Secret patient question"))

        let verbose = try await TestGateway.make(inference: ScriptedInference()) { $0.logQuestions = true }
        defer { verbose.cleanup() }
        let t2 = try await verbose.token()
        try await verbose.app.test(.router) { client in
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(t2), body: queryBody("Logged question"))
        }
        #expect(verbose.logs.requests.first?["question"] as? String == "Logged question")
    }

    @Test func jsonLogHandlerEscapesAndKeepsTypes() {
        let capture = LogCapture()
        var logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: capture.sink) }
        logger[metadataKey: "fixed"] = "yes"
        logger.info("line \"one\"\nnext", metadata: ["n": .stringConvertible(3), "ok": .stringConvertible(true), "s": "a\u{1}b"])
        let line = capture.lines[0]
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1)
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["msg"] as? String == "line \"one\"\nnext")
        #expect(
            object?["n"] as? Int == 3 && object?["ok"] as? Bool == true && object?["s"] as? String == "a\u{1}b"
                && object?["fixed"] as? String == "yes")
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 1_700_000_000.25)) == "2023-11-14T22:13:20.250Z")
    }
}
