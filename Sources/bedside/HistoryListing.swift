import Core
import Foundation
import SQLiteStore

/// What `bedside history` prints: entries with their marks, and where they came from.
struct HistoryListing {
    struct Row {
        var entry: HistoryEntry
        /// Nil when unknown (an answer the gateway lists but this workstation never received).
        var marks: AnswerMarks?
    }

    /// `local`, `gateway` or `replica`.
    var source: String
    var rows: [Row]
    var offline: BedsideError?
    var replica: String?

    /// The table: questions are a user's words, so they go through `TerminalText` like any
    /// other text printed here; the time is local, to the minute.
    static func table(_ rows: [Row]) -> [String] {
        TextTable.lines(
            header: ["TIME", "ID", "INDEX", "MARKS", "QUESTION"],
            rows: rows.map { r in
                [
                    time(r.entry.createdAt), AnswerFormatter.line(r.entry.answerID), "v\(r.entry.indexVersion)", marks(r),
                    AnswerFormatter.line(r.entry.question),
                ]
            })
    }

    static func marks(_ r: Row) -> String {
        var out: [String] = []
        if r.marks?.cached == true { out.append("cached") }
        if r.marks?.stale == true { out.append("STALE") }
        if r.entry.refused { out.append("refused") }
        return out.isEmpty ? "-" : out.joined(separator: ",")
    }

    static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }

    /// The line above a shown answer: its question, time, index and model.
    static func heading(_ a: Answer) -> String {
        "Q: \(AnswerFormatter.line(a.question))  (\(time(a.createdAt)), index v\(a.indexVersion), model \(AnswerFormatter.line(a.model)))"
    }

    /// The `--json` object: each entry is the `HistoryEntry` wire object with `cached` and
    /// `stale` (null when unknown); values exact, controls written as `\u` escapes.
    static func json(_ listing: HistoryListing) throws -> String {
        var entries: [JSONValue] = []
        for r in listing.rows {
            guard case .object(var object) = try WireCoding.decoder().decode(JSONValue.self, from: WireCoding.encoder().encode(r.entry)) else {
                continue
            }
            object["cached"] = r.marks.map { .bool($0.cached) } ?? .null
            object["stale"] = r.marks.map { .bool($0.stale) } ?? .null
            entries.append(.object(object))
        }
        var top: [String: JSONValue] = [
            "source": .string(listing.source), "offline": .bool(listing.offline != nil), "entries": .array(entries),
        ]
        if let offline = listing.offline {
            top["offline_reason"] = .string(SecretRedaction.redact(offline.message))
            top["replica"] = listing.replica.map(JSONValue.string) ?? .null
        }
        return try Terminal.json(JSONValue.object(top))
    }
}
