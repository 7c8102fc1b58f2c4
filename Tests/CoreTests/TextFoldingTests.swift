import Foundation
import Testing

@testable import Core

/// The ASCII fast paths of question folding and trimming against the general (Character
/// and Foundation) versions, on random ASCII that is rich in whitespace and punctuation.
struct TextFoldingTests {
    static func randomASCII(_ rng: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("aZ q?.!\t\r\n\u{0B}\u{0C}  Mx9-,")
        let n = Int.random(in: 0...24, using: &rng)
        return String((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    @Test func asciiFoldingMatchesTheGeneralWalk() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let s = Self.randomASCII(&rng)
            #expect(String.normalizedASCII(s) == String.normalizedWalk(s), "\(s.debugDescription)")
        }
        #expect(String.normalizedASCII("What IS sepsis? ?") == "what is sepsis?")
        #expect(String.normalizedASCII("Qué es") == nil)
        #expect("QUÉ  es?".normalizedQuestion == "qué es")
    }

    @Test func asciiTrimMatchesFoundation() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let s = Self.randomASCII(&rng)
            #expect(QueryRequest.trimmed(s) == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
        #expect(QueryRequest.trimmed("\u{00A0} dose \u{2003}") == "dose")
    }
}
