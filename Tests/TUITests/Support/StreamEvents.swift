import Core

@testable import TUI

/// The answer-stream events under their `AnswerEvent` names, as the update tests send them.
extension Event {
    static func citations(_ citations: [Citation]) -> Event { .stream(.citations(citations)) }
    static func delta(_ text: String) -> Event { .stream(.delta(text)) }
    static func done(_ answer: Answer) -> Event { .stream(.done(answer)) }
    static func error(_ error: BedsideError) -> Event { .stream(.error(error)) }
}
