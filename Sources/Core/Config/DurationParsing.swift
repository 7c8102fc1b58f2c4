import Foundation

/// Parses a human duration: `90s`, `30m`, `8h`, `2d`, combinations such as `1h30m`, or a
/// bare number of seconds. Used for `--ttl` and duration settings.
public func parseDuration(_ s: String) throws -> TimeInterval {
    let text = s.trimmingCharacters(in: .whitespaces).lowercased()
    func bad() -> BedsideError {
        BedsideError(.badRequest, "\"\(s)\" is not a duration; use a number with s, m, h or d, like 90s, 30m, 8h or 2d.")
    }
    guard !text.isEmpty else { throw bad() }
    if let plain = Double(text) {
        guard plain.isFinite, plain > 0 else { throw bad() }
        return plain
    }
    var total: TimeInterval = 0
    var digits = ""
    var sawUnit = false
    for ch in text {
        if ch.isASCII, ch.isNumber || ch == "." {
            digits.append(ch)
            continue
        }
        let unit: TimeInterval
        switch ch {
        case "s": unit = 1
        case "m": unit = 60
        case "h": unit = 3600
        case "d": unit = 86_400
        case "w": unit = 7 * 86_400
        default: throw bad()
        }
        guard let n = Double(digits), n.isFinite else { throw bad() }
        total += n * unit
        digits = ""
        sawUnit = true
    }
    guard digits.isEmpty, sawUnit, total > 0, total.isFinite else { throw bad() }
    return total
}
