import Core
import Testing

@testable import Inference

@Suite("Server-sent event parser (Core.ServerSentEventParser)")
struct SSEParserTests {
    /// Feeds `text` split at the given byte offsets and returns every event.
    func parse(_ bytes: [UInt8], cuts: [Int]) -> (events: [ServerSentEvent], partial: Bool) {
        var p = ServerSentEventParser()
        var out: [ServerSentEvent] = []
        var start = 0
        for c in cuts.sorted() + [bytes.count] where c >= start {
            out += p.feed(bytes[start..<c])
            start = c
        }
        return (out, p.hasPartialEvent)
    }

    @Test func fieldsCommentsAndMultiLineData() {
        var p = ServerSentEventParser()
        let events = p.feed(": keep-alive\n\nid: 7\nevent: delta\ndata: first\ndata:second\ndata:  two spaces\nretry: 100\nunknown: x\n\ndata\n\n")
        #expect(
            events == [
                ServerSentEvent(event: "delta", data: "first\nsecond\n two spaces", id: "7"),
                ServerSentEvent(event: nil, data: "", id: "7"), // id persists; `data` without colon is an empty value
            ])
        #expect(!p.hasPartialEvent)
    }

    @Test func commentsAndBlankLinesAloneDispatchNothing() {
        var p = ServerSentEventParser()
        #expect(p.feed(":a\n:b\n\n\n\nevent: x\n\n").isEmpty) // an event name without data is not dispatched
        #expect(p.feed("data: y\n\n") == [ServerSentEvent(event: nil, data: "y")]) // and the name was reset
    }

    @Test func lfCrlfAndCrOnlyLineEndingsAgree() {
        let lf = "event: a\ndata: 1\ndata: 2\n\n: c\ndata: é☕️\n\n"
        let expected = parse(Array(lf.utf8), cuts: []).events
        #expect(expected.count == 2)
        for ending in ["\r\n", "\r"] {
            let text = lf.replacingOccurrences(of: "\n", with: ending)
            #expect(parse(Array(text.utf8), cuts: []).events == expected, "line ending \(ending.debugDescription)")
        }
    }

    /// Every single cut position, including between CR and LF and inside multi-byte characters.
    @Test func everyCutPositionGivesTheSameEvents() {
        let text = "data: {\"t\":\"naïve 日本語 👩‍⚕️\"}\r\n\r\nevent: done\r\ndata: [DONE]\r\n\r\n"
        let bytes = Array(text.utf8)
        let whole = parse(bytes, cuts: []).events
        #expect(whole == [ServerSentEvent(data: "{\"t\":\"naïve 日本語 👩‍⚕️\"}"), ServerSentEvent(event: "done", data: "[DONE]")])
        for i in 0...bytes.count {
            #expect(parse(bytes, cuts: [i]).events == whole, "cut at \(i)")
        }
        // Byte by byte.
        #expect(parse(bytes, cuts: Array(0...bytes.count)).events == whole)
    }

    @Test func randomEventsSurviveRandomChunkingAndLineEndings() {
        var rng = SplitMix64(seed: 7)
        let alphabet = ["a", "b", " ", ":", "é", "日", "☕️", "{", "}", "\"", "x y", "[DONE]", "data", "0"]
        for round in 0..<200 {
            var events: [ServerSentEvent] = []
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let lines = 1 + Int(rng.next() % 3)
                let data = (0..<lines).map { _ in (0..<Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }.joined() }
                    .joined(separator: "\n")
                let name: String? = rng.next() % 2 == 0 ? nil : "ev\(rng.next() % 3)"
                events.append(ServerSentEvent(event: name, data: data))
            }
            var wire = events.map(\.encoded).joined()
            let ending = ["\n", "\r\n", "\r"][round % 3]
            wire = wire.replacingOccurrences(of: "\n", with: ending)
            let bytes = Array(wire.utf8)
            let cuts = (0..<Int(rng.next() % 8)).map { _ in Int(rng.next() % UInt64(bytes.count + 1)) }
            let parsed = parse(bytes, cuts: cuts).events
            // A data value that starts with a space loses exactly one (the encoder writes "data: " + value).
            #expect(parsed == events, "round \(round) cuts \(cuts)")
        }
    }

    @Test func aTruncatedStreamLeavesAPartialEventUndispatched() {
        var p = ServerSentEventParser()
        #expect(p.feed("data: complete\n\ndata: cut off") == [ServerSentEvent(data: "complete")])
        #expect(p.hasPartialEvent)
        var q = ServerSentEventParser()
        #expect(q.feed("data: line ended but no blank line\n").isEmpty)
        #expect(q.hasPartialEvent)
    }

    @Test func aLeadingByteOrderMarkIsSkippedEvenWhenSplit() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)
        for i in 0...4 { #expect(parse(bytes, cuts: [i]).events == [ServerSentEvent(data: "x")], "cut at \(i)") }
        // Only at the very start: a later BOM is data.
        var p = ServerSentEventParser()
        #expect(p.feed(Array("data: a\n\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("data: b\n\n".utf8)) == [ServerSentEvent(data: "a")])
        // A partial BOM-like prefix that is not a BOM stays text.
        var q = ServerSentEventParser()
        #expect(q.feed([0xEF] + Array(":\ndata: z\n\n".utf8)).count == 1)
    }

    @Test func anIdWithNulIsIgnored() {
        var p = ServerSentEventParser()
        #expect(p.feed("id: 1\ndata: a\n\nid: bad\u{0}id\ndata: b\n\n").map(\.id) == ["1", "1"])
    }
}
