import Core
import Testing

/// The one marker grammar, as the verifier reads it and the console highlights it.
@Suite("Citation markers")
struct CitationMarkersTests {
    /// Each marker's text and numbers, in order.
    private func markers(_ text: String) -> [(String, [Int])] {
        let bytes = Array(text.utf8)
        return CitationMarkers.find(bytes).map { (String(decoding: bytes[$0.start..<$0.end], as: UTF8.self), $0.numbers) }
    }

    @Test(arguments: [
        ("[3]", [3]), ("[12]", [12]), ("[999]", [999]), ("[1, 2]", [1, 2]), ("[1,2]", [1, 2]), ("[1; 2]", [1, 2]),
        ("[1 and 2]", [1, 2]), ("[2-4]", [2, 3, 4]), ("[2–4]", [2, 3, 4]), ("[Source 1]", [1]), ("[sources 1, 2]", [1, 2]),
        ("[ref 3]", [3]), ("[#4]", [4]), ("[ 1]", [1]),
    ])
    func citations(marker: String, numbers: [Int]) {
        let found = markers("Give fluids \(marker).")
        #expect(found.map(\.0) == [marker])
        #expect(found.map(\.1) == [numbers])
    }

    @Test(arguments: ["[sic]", "[mmHg]", "[]", "[x]", "[0]", "[1000]", "[1 mg]", "[4-2]", "[1-30]", "[1\n]", "[1", "1]"])
    func notCitations(text: String) {
        #expect(markers("Target 65 \(text) now.").isEmpty)
    }

    @Test func adjacentMarkersAreSeparate() {
        #expect(markers("Give fluids [1][2].").map(\.0) == ["[1]", "[2]"])
        #expect(markers("See [[1]] and [a [2]].").map(\.0) == ["[1]", "[2]"])
    }

    @Test func offsetsAreUTF8BytesAroundWideText() {
        let text = "Dose ≥ 5 mg/kg — see [2]. Then 😀 [3, 4]."
        #expect(markers(text).map(\.0) == ["[2]", "[3, 4]"])
        #expect(markers(text).map(\.1) == [[2], [3, 4]])
    }
}
