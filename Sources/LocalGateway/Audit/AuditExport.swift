import Core
import Foundation
import SQLiteStore
import SharedState

/// The audit trail as exported by `GET /v1/audit` and `bedside audit --format`: JSON lines
/// (exact: every field as stored, strings JSON-escaped) or CSV (RFC 4180 quoting, formulas
/// neutralised), oldest first; and the terminal table's escaping, which keeps a question's control and
/// text-direction characters from acting on the reviewer's terminal.
public enum AuditExport {
    public enum Format: String, Sendable, CaseIterable {
        case jsonl, csv

        public var contentType: String {
            switch self {
            case .jsonl: "application/jsonl; charset=utf-8"
            case .csv: "text/csv; charset=utf-8"
            }
        }
    }

    public static let csvColumns = [
        "id", "at", "request_id", "subject", "question", "answer_id", "sources", "model", "index_version",
        "cached", "stale", "refused", "outcome", "ref_id", "detail", "prev_hash", "hash",
    ]

    private static let encoder: JSONEncoder = {
        let e = WireCoding.encoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(timestamp(date))
        }
        return e
    }()

    /// ISO 8601 with milliseconds, UTC.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// The header line of an export (CSV only).
    public static func header(_ format: Format) -> String {
        format == .csv ? csvColumns.joined(separator: ",") + "\r\n" : ""
    }

    /// Rows in `format`, each line ended.
    public static func lines(_ rows: [AuditRecord], _ format: Format) throws -> String {
        var out = ""
        for r in rows {
            switch format {
            case .jsonl:
                out += String(decoding: try encoder.encode(r), as: UTF8.self) + "\n"
            case .csv:
                let sources = String(decoding: try JSONCoding.encoder.encode(r.sources), as: UTF8.self)
                let fields: [String] = [
                    r.id.map(String.init) ?? "", timestamp(r.at), r.requestID ?? "", r.subject, r.question, r.answerID ?? "", sources, r.model,
                    String(r.indexVersion), r.cached ? "1" : "0", r.stale ? "1" : "0", r.refused ? "1" : "0", r.outcome,
                    r.refID.map(String.init) ?? "", r.detail, r.prevHash, r.hash,
                ]
                out += fields.map(csvField).joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    /// RFC 4180: quoted when it holds a comma, quote, CR or LF (or leading/trailing space), quotes doubled.
    /// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)` in a question) is neutralised first.
    static func csvField(_ s: String) -> String {
        let s = neutralisedFormula(s)
        let needs = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.first == " " || s.last == " "
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// OWASP's CSV-injection rule: a cell that begins with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return gets a leading apostrophe, so Excel, LibreOffice and Sheets show it as
    /// text instead of evaluating it. Only the CSV changes; JSON lines stay exact (and are
    /// what the hashes cover).
    static func neutralisedFormula(_ s: String) -> String {
        guard let first = s.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return s }
        return "'" + s
    }

    /// A stored string made safe to print on a terminal: C0 and C1 controls (ESC among
    /// them), DEL and the bidi overrides and isolates are shown as `\u{…}`, a backslash as `\\`
    /// (`TerminalText`'s exact mode, the one rule for every terminal).
    public static func terminalSafe(_ s: String) -> String { TerminalText.safe(s, .exact) }

    /// A time bound: ISO 8601 (`2026-12-01`, `2026-12-01T08:00:00Z`) or an age before
    /// `now` (`30m`, `12h`, `7d`).
    public static func parseTime(_ text: String, now: Date = Date(), name: String) throws -> Date {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let d = try? Date(t, strategy: .iso8601) { return d }
        if let d = try? Date(t, strategy: .iso8601.year().month().day()) { return d }
        if let age = try? parseDuration(t) { return now.addingTimeInterval(-age) }
        throw BedsideError(.badRequest, "\(name) must be an ISO 8601 date or time (2026-12-01, 2026-12-01T08:00:00Z) or an age such as 12h or 7d.")
    }
}
