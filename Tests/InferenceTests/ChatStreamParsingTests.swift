import Core
import Foundation
import TestSupport
import Testing

@testable import Inference

/// Real chunks as llama-server sends them (shape copied from its streaming output).
enum ChatFixtures {
    static func chunk(_ content: String?, finish: String? = nil, model: String = "SmolLM2") -> String {
        var delta = "{}"
        if let content {
            delta = "{\"content\":\(JSONText.quoted(content))}"
        }
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return
            "data: {\"choices\":[{\"finish_reason\":\(reason),\"index\":0,\"delta\":\(delta)}],\"created\":1,\"id\":\"chatcmpl-1\",\"model\":\"\(model)\",\"object\":\"chat.completion.chunk\"}\n\n"
    }

    static let usage =
        "data: {\"choices\":[],\"created\":1,\"id\":\"chatcmpl-1\",\"model\":\"SmolLM2\",\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":3,\"prompt_tokens\":40,\"total_tokens\":43}}\n\n"
    static let done = "data: [DONE]\n\n"

    static var complete: [String] {
        [chunk(nil), chunk("Give"), chunk(" fluids"), chunk(" [1]."), chunk(nil, finish: "stop"), usage, done]
    }
}

@Suite("Chat completion stream decoding")
struct ChatStreamParsingTests {
    @Test func decodesDeltasFinishReasonUsageAndDone() {
        var d = ChatStreamDecoder()
        var deltas: [String] = []
        for piece in ChatFixtures.complete { deltas += d.feed(Array(piece.utf8)) }
        #expect(deltas == ["Give", " fluids", " [1]."])
        #expect(d.text == "Give fluids [1].")
        #expect(d.finishReason == "stop")
        #expect(d.usage == ChatUsage(promptTokens: 40, completionTokens: 3, totalTokens: 43))
        #expect(d.model == "SmolLM2")
        #expect(d.sawDone && d.isComplete)
    }

    @Test func anyChunkingGivesTheSameText() {
        let bytes = Array(ChatFixtures.complete.joined().replacingOccurrences(of: "fluids", with: "flüids 日本").utf8)
        for cut in stride(from: 0, through: bytes.count, by: 3) {
            var d = ChatStreamDecoder()
            _ = d.feed(bytes[..<cut])
            _ = d.feed(bytes[cut...])
            #expect(d.text == "Give flüids 日本 [1].", "cut at \(cut)")
            #expect(d.isComplete)
        }
    }

    @Test func aTruncatedStreamIsNotComplete() {
        var d = ChatStreamDecoder()
        _ = d.feed(Array((ChatFixtures.chunk("Partial") + ChatFixtures.chunk(" answ")).utf8))
        #expect(d.text == "Partial answ")
        #expect(!d.isComplete)
        // A finish_reason without [DONE] counts as complete (some servers omit [DONE]).
        _ = d.feed(Array(ChatFixtures.chunk(nil, finish: "length").utf8))
        #expect(d.isComplete && !d.sawDone)
    }

    @Test func serverErrorsAndGarbageInTheStream() {
        var d = ChatStreamDecoder()
        _ = d.feed(Array("data: not json\n\n: comment\n\n".utf8))
        #expect(d.text.isEmpty && d.serverError == nil)
        _ = d.feed(Array("data: {\"error\":{\"code\":500,\"message\":\"context full\",\"type\":\"server_error\"}}\n\n".utf8))
        #expect(d.serverError == "context full")
        #expect(d.isFinished)
    }
}

@Suite("Chat client: streaming, timeouts, truncation, cancellation")
struct ChatClientTests {
    func client(_ t: ScriptedTransport, timeouts: ChatTimeouts = ChatTimeouts()) -> OpenAIChatClient {
        OpenAIChatClient(baseURL: "http://llm.test/v1/", model: "smol", apiKey: "sk-test", transport: t, timeouts: timeouts, maxTokens: 50)
    }

    func collect(_ s: AsyncThrowingStream<ChatStreamEvent, any Error>) async throws -> (text: String, end: ChatCompletionEnd?) {
        var text = ""
        var end: ChatCompletionEnd?
        for try await e in s {
            switch e {
            case .delta(let d): text += d
            case .end(let x): end = x
            }
        }
        return (text, end)
    }

    @Test func sendsAStreamingRequestAndYieldsDeltas() async throws {
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream(ChatFixtures.complete) }
        let (text, end) = try await collect(client(t).stream([.system("s"), .user("q")]))
        #expect(text == "Give fluids [1].")
        #expect(end?.incomplete == false)
        #expect(end?.finishReason == "stop")
        #expect(end?.usage?.completionTokens == 3)
        let r = t.requests[0]
        #expect(r.url == "http://llm.test/v1/chat/completions")
        #expect(r.method == .POST)
        #expect(r.headers["authorization"] == "Bearer sk-test")
        let body = try t.json(0)
        #expect(body["stream"] as? Bool == true)
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
        #expect(body["model"] as? String == "smol")
        #expect(body["max_tokens"] as? Int == 50)
        #expect((body["messages"] as? [[String: Any]])?.map { $0["role"] as? String } == ["system", "user"])
    }

    @Test func aStreamCutMidwayEndsIncompleteNotAsAnError() async throws {
        let pieces = [ChatFixtures.chunk("Partial"), ChatFixtures.chunk(" text")]
        // The server closes cleanly without [DONE] …
        let closed = ScriptedTransport { _, _ in ScriptedTransport.stream(pieces) }
        let a = try await collect(client(closed).stream([.user("q")]))
        #expect(a.text == "Partial text")
        #expect(a.end?.incomplete == true)
        // … or the connection is reset (llama-server killed).
        let reset = ScriptedTransport { _, _ in ScriptedTransport.stream(pieces, end: .fail(TransportError.connection("reset by peer"))) }
        let b = try await collect(client(reset).stream([.user("q")]))
        #expect(b.text == "Partial text")
        #expect(b.end?.incomplete == true)
        #expect(b.end?.detail?.contains("reset") == true)
    }

    @Test func failuresBeforeAnyTextAreStructuredErrors() async throws {
        let refused = ScriptedTransport { _, _ in throw TransportError.connection("connection refused") }
        await #expect { try await collect(client(refused).stream([.user("q")])) } throws: {
            ($0 as? BedsideError)?.code == .inferenceUnavailable
        }
        let loading = ScriptedTransport { _, _ in
            ScriptedTransport.json(503, #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#)
        }
        await #expect { try await collect(client(loading).stream([.user("q")])) } throws: {
            let e = $0 as? BedsideError
            return e?.code == .inferenceUnavailable && e?.detail?.contains("Loading model") == true
        }
        let bad = ScriptedTransport { _, _ in ScriptedTransport.json(400, #"{"error":{"message":"bad request"}}"#) }
        await #expect { try await collect(client(bad).stream([.user("q")])) } throws: { ($0 as? BedsideError)?.code == .upstream }
        let empty = ScriptedTransport { _, _ in ScriptedTransport.stream([]) }
        await #expect { try await collect(client(empty).stream([.user("q")])) } throws: { ($0 as? BedsideError)?.code == .upstream }
        let midError = ScriptedTransport { _, _ in
            ScriptedTransport.stream(["data: {\"error\":{\"message\":\"the model crashed\"}}\n\n"], end: .hang)
        }
        await #expect { try await collect(client(midError).stream([.user("q")])) } throws: {
            ($0 as? BedsideError)?.message.contains("model crashed") == true
        }
    }

    @Test func connectTimeout() async throws {
        let t = ScriptedTransport { _, _ in
            try await untilCancelled()
            throw CancellationError()
        }
        let c = client(t, timeouts: ChatTimeouts(connect: .milliseconds(100), firstToken: .seconds(30), total: .seconds(60)))
        // The connect limit's own message (the first-token limit says "start answering"), so it
        // was the 100 ms limit that fired: no wall-clock bound needed.
        await #expect { try await collect(c.stream([.user("q")])) } throws: {
            ($0 as? BedsideError)?.code == .timeout && ($0 as? BedsideError)?.message.contains("did not respond within 0.1 s") == true
        }
    }

    @Test func firstTokenTimeout() async throws {
        // Headers arrive, then only a keep-alive comment, then nothing.
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream([": ping\n\n"], end: .hang) }
        let c = client(t, timeouts: ChatTimeouts(connect: .milliseconds(50), firstToken: .milliseconds(150), total: .seconds(10)))
        await #expect { try await collect(c.stream([.user("q")])) } throws: {
            ($0 as? BedsideError)?.code == .timeout && ($0 as? BedsideError)?.message.contains("start answering") == true
        }
    }

    @Test func totalTimeoutMidStreamEndsIncomplete() async throws {
        let t = ScriptedTransport { _, _ in ScriptedTransport.stream([ChatFixtures.chunk("Slow"), ChatFixtures.chunk(" text")], end: .hang) }
        let c = client(t, timeouts: ChatTimeouts(connect: .milliseconds(50), firstToken: .milliseconds(100), total: .milliseconds(300)))
        let (text, end) = try await collect(c.stream([.user("q")]))
        #expect(text == "Slow text")
        #expect(end?.incomplete == true)
        #expect(end?.detail?.contains("total timeout") == true)
    }

    @Test func cancellingTheConsumerStopsTheRequest() async throws {
        let cancelled = Locked(false)
        let t = ScriptedTransport { _, _ in
            let (stream, c) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            c.yield(Array(ChatFixtures.chunk("Hello").utf8))
            c.onTermination = { _ in cancelled.withLock { $0 = true } }
            return TransportResponse(status: 200, body: stream)
        }
        let c = client(t)
        let (firstDelta, delta) = AsyncStream<Void>.makeStream()
        let task = Task {
            defer { delta.finish() } // ends the wait below if the stream fails before a delta
            var n = 0
            for try await e in c.stream([.user("q")]) {
                if case .delta = e {
                    n += 1
                    delta.yield()
                }
            }
            return n
        }
        // Cancelled once the stream is under way (its first delta), not after a guessed delay.
        for await _ in firstDelta { break }
        task.cancel()
        _ = await task.result
        // The transport's body stream was terminated (the connection would be closed).
        try await Poll.until("the transport's body stream terminated", timeout: .seconds(10), every: .milliseconds(10)) { cancelled.current }
    }

    @Test func listsModels() async throws {
        let t = ScriptedTransport { r, _ in
            #expect(r.url == "http://llm.test/v1/models")
            return ScriptedTransport.json(200, #"{"object":"list","data":[{"id":"SmolLM2-135M-Instruct.Q4_1.gguf","object":"model"}]}"#)
        }
        #expect(try await client(t).listModels() == ["SmolLM2-135M-Instruct.Q4_1.gguf"])
    }
}
