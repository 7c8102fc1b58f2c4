import Foundation
import TestSupport
import Testing

/// Sentence-level citations in the real console under tmux: the source viewer shows the
/// supporting sentence in reverse video and the rest of the cited passage in bold (not
/// reversed), as `capture-pane -e` reports them; `n` moves to the next supporting span.
@Suite("Console under tmux: supporting sentences", .enabled(if: Tmux.available || ProcessInfo.processInfo.environment["BEDSIDE_REQUIRE_ML"] == "1"))
struct SourceSpanTUIEndToEndTests {
    static let question = "What is the first-line fluid bolus in septic shock?"

    /// Each visible character of a capture with the SGR attributes in force for it (tmux
    /// carries attributes over line ends, so the state runs through the whole screen).
    static func styled(_ line: String) -> [(character: Character, bold: Bool, reverse: Bool)] {
        var out: [(Character, Bool, Bool)] = []
        var bold = false
        var reverse = false
        var i = line.startIndex
        while i < line.endIndex {
            if line[i] == "\u{1B}", line.index(after: i) < line.endIndex, line[line.index(after: i)] == "[" {
                var j = line.index(i, offsetBy: 2)
                var params = ""
                while j < line.endIndex, !line[j].isLetter {
                    params.append(line[j])
                    j = line.index(after: j)
                }
                if j < line.endIndex, line[j] == "m" {
                    let codes = params.isEmpty ? [0] : params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                    for code in codes {
                        switch code {
                        case 0:
                            bold = false
                            reverse = false
                        case 1: bold = true
                        case 22: bold = false
                        case 7: reverse = true
                        case 27: reverse = false
                        default: break
                        }
                    }
                }
                i = j < line.endIndex ? line.index(after: j) : j
                continue
            }
            out.append((line[i], bold, reverse))
            i = line.index(after: i)
        }
        return out
    }

    /// The characters of the screen with (`reverse`) or with bold and without reverse (`light`).
    static func text(_ screen: String, reverse wantReverse: Bool) -> String {
        String(styled(screen).filter { $0.character == "\n" || (wantReverse ? $0.reverse : ($0.bold && !$0.reverse)) }.map(\.character))
    }

    @Test func theSupportingSentenceIsStrongAndThePassageLight() async throws {
        let s = try Scratch()
        defer { s.cleanup() }
        let env = [
            "BEDSIDE_DB": s.file("tui.sqlite"), "BEDSIDE_DEMO_CORPUS": Bin.demoCorpus, "TERM": "xterm-256color",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        ]
        let tui = try await Tmux.start(command: [Bin.path], env: env, width: 120, height: 40)
        defer {
            tui.saveScreens("tui-spans")
            tui.kill()
        }
        try await tui.waitFor("console ready") { $0.contains("ONLINE") && $0.contains("Question") }
        try await tui.type(Self.question)
        try await tui.send("Enter")
        try await tui.waitFor("cited answer") { $0.contains("30 mL/kg") && $0.contains("[1]") && $0.contains("Citations") }
        try await tui.send("1")
        let screen = try await tui.waitFor("source viewer", escapes: true) { $0.contains("Source:") && $0.contains("supporting sentence") }
        let strong = Self.text(screen, reverse: true).replacingOccurrences(of: "\n", with: " ")
        let light = Self.text(screen, reverse: false).replacingOccurrences(of: "\n", with: " ")
        // The answer's sentence is in reverse video; the passage sentences it does not quote are bold, not reversed.
        #expect(strong.contains("30 mL/kg"), "supporting sentence not in reverse video:\n\(screen)")
        // (Which of the passage's sentences the answer quotes is the generator's choice; the
        // lactate sentence does not answer "the first-line fluid bolus", so it stays light.)
        #expect(light.contains("Lactate-guided"), "rest of the passage not in bold:\n\(screen)")
        #expect(!strong.contains("Lactate-guided"))
        // Text outside the passage is neither.
        #expect(!strong.contains("Vasopressors") && !light.contains("## Vasopressors"))
        #expect(screen.contains("n/N") && screen.contains("next/prev sentence"))
        try await tui.send("q")
    }
}
