import Core
import Foundation

/// The line above an answer replayed from the workstation replica: where it comes from,
/// when it was answered, and which index version and model produced it.
enum ReplicaBanner {
    static func text(_ answer: Answer) -> String {
        var parts = ["FROM THE REPLICA on this workstation", "answered \(format(answer.createdAt))"]
        if answer.indexVersion > 0 { parts.append("index v\(answer.indexVersion)") }
        if !answer.model.isEmpty { parts.append("model \(answer.model)") }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// `2026-12-01 00:41 UTC`: the same on every workstation.
    static func format(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return f.string(from: date)
    }
}
