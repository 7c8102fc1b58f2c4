import Core
import Foundation
import Logging
import Testing

@testable import LocalGateway

/// Issue 19 findings 5 and 6: a gateway log line never shows a URL's password, and a peer's
/// text in it cannot act on the terminal the log is read on.
struct LogRedactionTests {
    @Test func logLinesHideURLPasswordsAndEscapeControls() throws {
        let capture = LogCapture()
        let logger = Logger(label: "t") { JSONLogHandler(label: $0, sink: capture.sink) }
        let store = "postgres://bedside:pwA/pwB#pwC pwD@db:5432/app"
        logger.error(
            "cannot reach \(store)",
            metadata: ["error": "\(store) refused \u{9B}2J \u{202E}x", "upstream": .stringConvertible("http://u:pwE?pwF@h/v1")])
        let line = capture.lines[0]
        for fragment in ["pwA", "pwB", "pwC", "pwD", "pwE", "pwF"] { #expect(!line.contains(fragment), "\(line)") }
        #expect(!line.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\n" }, "\(line.debugDescription)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "cannot reach postgres://***@db:5432/app")
        #expect(object["error"] as? String == "postgres://***@db:5432/app refused \u{9B}2J \u{202E}x", "the value is kept, only escaped")
        #expect(object["upstream"] as? String == "http://***@h/v1")
    }
}
