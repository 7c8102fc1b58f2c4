import Core
import Foundation
import Testing

@testable import Inference

@Suite("Embedding client: batching, retries, input guard")
struct EmbeddingClientTests {
    /// An OpenAI-style embeddings response for the request's inputs: vector i = [i, len(input)].
    static func respond(_ r: TransportRequest, reversed: Bool = false) throws -> TransportResponse {
        let body = try JSONSerialization.jsonObject(with: Data(r.body ?? [])) as! [String: Any]
        let inputs = body["input"] as! [String]
        var items = inputs.enumerated().map { i, s in "{\"object\":\"embedding\",\"index\":\(i),\"embedding\":[\(i).0,\(s.count).0,1.0]}" }
        if reversed { items.reverse() }
        return ScriptedTransport.json(200, "{\"object\":\"list\",\"model\":\"m\",\"data\":[\(items.joined(separator: ","))]}")
    }

    static let noWait = RetryPolicy(maxAttempts: 4, random: { 0.5 }, sleep: { _ in })

    @Test func batchesAndKeepsInputOrder() async throws {
        let t = ScriptedTransport { r, _ in try Self.respond(r, reversed: true) }
        let client = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "mini", apiKey: "k", transport: t, batchSize: 2, retry: Self.noWait)
        let texts = ["a", "bb", "ccc", "dddd", "eeeee"]
        let vectors = try await client.embed(texts)
        #expect(vectors.map { Int($0[1]) } == [1, 2, 3, 4, 5])
        #expect(vectors.map { Int($0[0]) } == [0, 1, 0, 1, 0]) // index within each batch
        #expect(t.requests.count == 3)
        #expect(t.requests[0].url == "http://e.test/v1/embeddings")
        #expect(t.requests[0].headers["authorization"] == "Bearer k")
        let body = try t.json(0)
        #expect(body["model"] as? String == "mini")
        #expect(body["input"] as? [String] == ["a", "bb"])
    }

    @Test func retries429And5xxAndConnectionErrorsWithBackoff() async throws {
        let delays = Locked<[Duration]>([])
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), random: { 1.0 }, sleep: { d in delays.withLock { $0.append(d) } })
        let t = ScriptedTransport { r, n in
            switch n {
            case 0: return ScriptedTransport.json(429, #"{"error":{"message":"busy"}}"#, headers: ["retry-after": "2"])
            case 1: return ScriptedTransport.json(502, "bad gateway")
            case 2: throw TransportError.connection("refused")
            default: return try Self.respond(r)
            }
        }
        let client = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "m", transport: t, retry: policy)
        let v = try await client.embed(["x"])
        #expect(v.count == 1)
        #expect(t.requests.count == 4)
        // Retry-After wins; then exponential: 100 ms · 2^1, 2^2 (jitter at its maximum).
        #expect(delays.current == [.seconds(2), .milliseconds(200), .milliseconds(400)])
    }

    @Test func givesUpWithAStructuredError() async throws {
        let down = ScriptedTransport { _, _ in throw TransportError.connection("refused") }
        let client = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "m", transport: down, retry: Self.noWait)
        await #expect { try await client.embed(["x"]) } throws: { ($0 as? BedsideError)?.code == .inferenceUnavailable }
        #expect(down.requests.count == 4)
        // A 401 is not retried.
        let denied = ScriptedTransport { _, _ in ScriptedTransport.json(401, #"{"error":{"message":"Invalid API Key"}}"#) }
        let c2 = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "m", transport: denied, retry: Self.noWait)
        await #expect { try await c2.embed(["x"]) } throws: { ($0 as? BedsideError)?.message.contains("credentials") == true }
        #expect(denied.requests.count == 1)
        // Wrong number of vectors.
        let short = ScriptedTransport { _, _ in ScriptedTransport.json(200, #"{"data":[{"index":0,"embedding":[1]}]}"#) }
        let c3 = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "m", transport: short, retry: Self.noWait)
        await #expect { try await c3.embed(["x", "y"]) } throws: { ($0 as? BedsideError)?.code == .upstream }
    }

    @Test func longInputsAreCutAndShrunkWhenTheServerStillRefuses() async throws {
        let lengths = Locked<[Int]>([])
        // Like llama-server with -ub 512: more than ~300 words fails with HTTP 500.
        let t = ScriptedTransport { r, _ in
            let body = try JSONSerialization.jsonObject(with: Data(r.body ?? [])) as! [String: Any]
            let words = (body["input"] as! [String]).map { $0.split(separator: " ").count }.max() ?? 0
            lengths.withLock { $0.append(words) }
            if words > 300 {
                return ScriptedTransport.json(
                    500,
                    #"{"error":{"code":500,"message":"input (700 tokens) is too large to process. increase the physical batch size (current batch size: 512)","type":"server_error"}}"#
                )
            }
            return try Self.respond(r)
        }
        let client = OpenAIEmbeddingClient(baseURL: "http://e.test/v1", model: "m", transport: t, retry: Self.noWait)
        let long = Array(repeating: "fluid", count: 2_000).joined(separator: " ")
        let v = try await client.embed([long, "short"])
        #expect(v.count == 2)
        let sent = lengths.current
        #expect(sent.first! < 2_000, "the guard cut the input before sending")
        #expect(sent.last! <= 300)
        #expect(sent.count >= 2, "a 500 'too large' shrank the budget and retried")
    }

    @Test func inputGuardEstimatesConservatively() {
        let g = EmbeddingInputGuard(maxTokens: 512)
        #expect(g.estimateTokens("") == 0)
        #expect(g.estimateTokens("the cat sat") == 3)
        #expect(g.estimateTokens("Give 2.5 mg.") == 6) // give, 2, ., 5, mg, . — digits and punctuation count
        #expect(g.estimateTokens("noradrenaline") >= 3) // a rare long word splits into pieces
        #expect(g.estimateTokens("日本語") == 3)
        let text = Array(repeating: "word", count: 1_000).joined(separator: " ")
        let cut = g.truncate(text)
        #expect(g.estimateTokens(cut) <= g.budget)
        #expect(text.hasPrefix(cut))
        #expect(g.truncate("short text") == "short text")
        #expect(g.truncate("   ") == "   ")
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test func backoffIsExponentialCappedAndJittered() {
        let low = RetryPolicy(baseDelay: .milliseconds(300), maxDelay: .seconds(2), random: { 0 })
        let high = RetryPolicy(baseDelay: .milliseconds(300), maxDelay: .seconds(2), random: { 0.999999 })
        #expect(low.delay(attempt: 1) == .milliseconds(150))
        #expect(high.delay(attempt: 1) == .milliseconds(299))
        #expect(high.delay(attempt: 3) == .milliseconds(1199))
        #expect(high.delay(attempt: 10) <= .seconds(2))
        #expect(low.delay(attempt: 1, retryAfter: 30) == .seconds(2)) // Retry-After is capped too
        #expect(RetryPolicy.isRetryable(status: 429) && RetryPolicy.isRetryable(status: 503) && !RetryPolicy.isRetryable(status: 400))
    }
}
