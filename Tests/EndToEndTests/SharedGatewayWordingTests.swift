import Core
import Foundation
import TestSupport
import Testing

/// Issue 19, finding 1, on two gateways over one PostgreSQL: an answer cached through one
/// and served through the other to another clinician carries that clinician's own words
/// and time, in the response, their history and answers (through either instance) and their
/// audit rows; nothing of theirs holds the first asker's question, which names a patient.
extension SharedGatewayTests {
    @Test func aCachedAnswerThroughTheOtherInstanceCarriesTheAskersOwnWords() async throws {
        let pair = try await GatewayPair.start("wording", GatewayPair.unlimited)
        defer { pair.kill() }
        let alice = "What is the first-line fluid bolus in septic shock for Patient John SMITH in bed 12?"
        let carol = "what is the first-line fluid bolus in septic shock for patient john smith in bed 12??"
        let aliceToken = try await pair.token("alice")
        let carolToken = try await pair.token("carol")
        let asked = try await HTTPReply.query(pair.a.url, token: aliceToken, question: alice, requestID: "alice-0")
        try #require(asked.status == 200, "A: \(asked.text)\n\(pair.a.output)")
        #expect(try asked.json()["question"] as? String == alice)

        let before = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var texts: [String] = []
        var ids: Set<String> = []
        // Through B (a hit on the shared cache, her record made there), then through A (found in the store).
        for (i, url) in [pair.b.url, pair.a.url, pair.b.url].enumerated() {
            let r = try await HTTPReply.query(url, token: carolToken, question: carol, requestID: "carol-\(i)")
            try #require(r.status == 200, "\(url): \(r.text)")
            #expect(r.header("X-Bedside-Cache") == "hit", "\(url): \(r.header("X-Bedside-Cache") ?? "-")")
            let json = try r.json()
            #expect(json["question"] as? String == carol, "carol was shown \(json["question"] ?? "-")")
            let created = try #require((json["created_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(created >= before, "carol's record is dated \(created), before she asked (\(before))")
            ids.insert(try #require(json["answer_id"] as? String))
            texts.append(r.text)
        }
        #expect(ids.count == 1, "one record for carol's words on both instances: \(ids)")
        for url in [pair.a.url, pair.b.url] {
            for path in ["/v1/history", "/v1/answers"] + ids.map({ "/v1/answers/" + $0 }) {
                let r = try await HTTPReply.get(url + path, token: carolToken)
                #expect(r.status == 200 && r.text.contains(carol), "\(url)\(path): \(r.status) \(r.text)")
                texts.append(r.text)
            }
        }
        let export = try await Bin.run(["audit", "--store", pair.store, "--format", "jsonl"], env: pair.env)
        try #require(export.status == 0, "audit export: \(export.stderr)")
        let lines = export.stdout.split(separator: "\n").map(String.init)
        let carols = lines.filter { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["subject"] as? String == "carol"
        }
        let questions = carols.map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["question"] as? String }
        // Three answers and two replays by id, each row in her words.
        #expect(questions.count == 5 && questions.allSatisfy { $0 == carol }, "carol's rows: \(carols)")
        texts += carols
        for text in texts {
            #expect(!text.contains(alice), "carol was shown or keeps alice's words in: \(text.prefix(600))")
        }
    }
}
