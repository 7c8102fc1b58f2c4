import Core
import Foundation
import Store

/// The audit trail as exported by `GET /v1/audit` and `bedside audit --format`: JSON lines
/// (exact: every field as stored, strings JSON-escaped) or CSV (RFC 4180 quoting), oldest
/// first; and the terminal table's escaping, which keeps a question's control and
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
                let sources = String(decoding: try JSONEncoder.sortedKeys.encode(r.sources), as: UTF8.self)
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
    static func csvField(_ s: String) -> String {
        let needs = s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.first == " " || s.last == " "
        return needs ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A stored string made safe to print on a terminal: C0 and C1 controls (ESC among
    /// them), DEL and the bidi overrides and isolates are shown as `\u{…}`, a backslash as `\\`.
    public static func terminalSafe(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let control = v < 0x20 || (0x7F...0x9F).contains(v)
            let bidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
            if control || bidi {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else if scalar == "\\" {
                out += "\\\\"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

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

extension JSONEncoder {
    /// Sorted keys, for stable text.
    static let sortedKeys: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}
