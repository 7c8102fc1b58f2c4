import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLiteStore
import Testing

@testable import LocalGateway

/// `GET /v1/answers`: the token subject's answers, paged, for `bedside sync`.
@Suite struct AnswerListRouteTests {
    @Test func listsOnlyTheSubjectsAnswersPageByPage() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        let bob = try await test.token("bob")
        try await test.app.test(.router) { client in
            var asked: [String] = []
            for i in 0..<5 {
                let a = try await client.execute(
                    uri: "/v1/query", method: .post, headers: .bearer(alice),
                    body: queryBody("Alice question \(i) about sepsis fluids?")
                ).decode(Answer.self)
                asked.append(try #require(a.answerID))
                test.clock.advance(seconds: 1)
            }
            _ = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(bob), body: queryBody("Bob's own question on sepsis?"))

            var listed: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/answers?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let response = try await client.execute(uri: uri, method: .get, headers: .bearer(alice))
                #expect(response.status == .ok)
                let page = try response.decode(AnswerListPage.self)
                #expect(page.total == 5)
                listed += page.items.compactMap(\.answerID)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(listed == asked)
            #expect(pages == 3)

            let bobs = try await client.execute(uri: "/v1/answers", method: .get, headers: .bearer(bob)).decode(AnswerListPage.self)
            #expect(bobs.items.map(\.question) == ["Bob's own question on sepsis?"])
            #expect(bobs.nextCursor == nil)
            #expect(!bobs.items.contains { asked.contains($0.answerID ?? "") })
        }
    }

    @Test func sinceTakesADurationOrATime() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        // Stored with their times (the gateway's clock is the test's; answers carry their own).
        let now = test.clock.now
        _ = try await test.database.saveAnswer(
            Answer(question: "An old question about sepsis?", answer: "a", createdAt: now.addingTimeInterval(-3 * 86_400)),
            subject: "alice")
        _ = try await test.database.saveAnswer(
            Answer(question: "A new question about sepsis?", answer: "b", createdAt: now.addingTimeInterval(-600)),
            subject: "alice")
        try await test.app.test(.router) { client in
            let recent = try await client.execute(uri: "/v1/answers?since=1d", method: .get, headers: .bearer(alice)).decode(AnswerListPage.self)
            #expect(recent.items.map(\.question) == ["A new question about sepsis?"])
            let all = try await client.execute(uri: "/v1/answers?since=30d", method: .get, headers: .bearer(alice)).decode(AnswerListPage.self)
            #expect(all.items.count == 2)
            let iso = ISO8601DateFormatter().string(from: test.clock.now.addingTimeInterval(-3600))
            let sinceTime = try await client.execute(uri: "/v1/answers?since=\(iso)", method: .get, headers: .bearer(alice)).decode(
                AnswerListPage.self)
            #expect(sinceTime.items.map(\.question) == ["A new question about sepsis?"])
        }
    }

    @Test func badParametersAreTheClientsError() async throws {
        let test = try await TestGateway.make(inference: ScriptedInference())
        defer { test.cleanup() }
        let alice = try await test.token("alice")
        try await test.app.test(.router) { client in
            for uri in [
                "/v1/answers?limit=0", "/v1/answers?limit=501", "/v1/answers?limit=x", "/v1/answers?since=yesterday",
                "/v1/answers?cursor=%21%21not-ours",
            ] {
                let r = try await client.execute(uri: uri, method: .get, headers: .bearer(alice))
                #expect(r.status == .badRequest, "\(uri)")
                #expect(r.errorCode == "bad_request", "\(uri)")
            }
            let anonymous = try await client.execute(uri: "/v1/answers", method: .get)
            #expect(anonymous.status == .unauthorized)
            let post = try await client.execute(uri: "/v1/answers", method: .post, headers: .bearer(alice))
            #expect(post.status == .methodNotAllowed)
        }
    }
}
