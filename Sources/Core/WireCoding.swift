import Foundation

/// The one place JSON coders are configured: ISO-8601 dates everywhere, so that the CLI, the
/// gateway, the TUI and both stores read each other's output. What differs is only the byte
/// layout, and each layout is fixed by who reads the bytes, so none may change.
public enum WireCoding {
    /// How an encoder lays the bytes out.
    public enum Layout: Sendable {
        /// HTTP bodies and `--json`: sorted keys, `/` as is.
        case compact
        /// For people: `compact`, indented.
        case pretty
        /// `body` columns of the stores: sorted keys, `/` escaped as `\/` as every stored row
        /// has always had it (a row reads the same from SQLite and PostgreSQL).
        case stored
        /// A server-sent event's `data:` (`AnswerEvent`): keys not sorted (a parser reads them), `/` as is.
        case event
    }

    public static func encoder(_ layout: Layout = .compact) -> JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        switch layout {
        case .compact: e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        case .pretty: e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        case .stored: e.outputFormatting = [.sortedKeys]
        case .event: e.outputFormatting = [.withoutEscapingSlashes]
        }
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
