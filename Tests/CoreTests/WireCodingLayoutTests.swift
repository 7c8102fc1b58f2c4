import Core
import Foundation
import Testing

/// The byte layouts are read by others (stored rows, clients, the SSE parser): pinned here.
@Suite("JSON layouts")
struct WireCodingLayoutTests {
    struct Sample: Codable, Equatable {
        var url = "a/b"
        var at = Date(timeIntervalSince1970: 0)
    }

    @Test(arguments: [
        (WireCoding.Layout.compact, #"{"at":"1970-01-01T00:00:00Z","url":"a/b"}"#),
        (.stored, #"{"at":"1970-01-01T00:00:00Z","url":"a\/b"}"#),
        (.pretty, "{\n  \"at\" : \"1970-01-01T00:00:00Z\",\n  \"url\" : \"a/b\"\n}"),
    ])
    func layout(_ layout: WireCoding.Layout, bytes: String) throws {
        let data = try WireCoding.encoder(layout).encode(Sample())
        #expect(String(decoding: data, as: UTF8.self) == bytes)
        #expect(try WireCoding.decoder().decode(Sample.self, from: data) == Sample())
    }

    /// Unsorted, so only the fields' text is pinned.
    @Test func eventLayout() throws {
        let text = String(decoding: try WireCoding.encoder(.event).encode(Sample()), as: UTF8.self)
        #expect(text.contains(#""url":"a/b""#) && text.contains(#""at":"1970-01-01T00:00:00Z""#))
    }
}
