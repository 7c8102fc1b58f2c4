import Foundation

/// A small, strict parser for the TOML that Bedside's config file uses: `[section]` headers,
/// `key = value` with basic or literal strings, integers, floats and booleans, and `#`
/// comments. Anything else (arrays, inline tables, dates, multi-line strings, dotted keys)
/// is an error naming the line, so a typo never silently changes behaviour.
public enum TOMLSubset {
    public enum Value: Sendable, Hashable, CustomStringConvertible {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)

        public var description: String {
            switch self {
            case .string(let s): "\"\(s)\""
            case .integer(let i): String(i)
            case .float(let d): String(d)
            case .bool(let b): String(b)
            }
        }
    }

    /// A value with the line it was written on (for error messages).
    public struct Entry: Sendable, Hashable {
        public var value: Value
        public var line: Int
    }

    /// Section name ("" for keys before any header) → key → entry.
    public typealias Document = [String: [String: Entry]]

    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The document from the lines that parse, and every line's error: a file with two
    /// mistakes reports both, instead of one per edit-and-retry round.
    public static func parseAll(_ text: String) -> (Document, [SyntaxError]) {
        var doc: Document = ["": [:]]
        var section = ""
        var lineNo = 0
        var errors: [SyntaxError] = []
        var skipping = false
        var scratch: Document = [:]
        // "\r\n" is one Character in Swift, so split on both forms of line end.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNo += 1
            // Keys under a header that did not parse belong to no known section: they are
            // checked for syntax but not kept, so they are not reported again as misplaced.
            let isHeader = raw.trimmingCharacters(in: .whitespaces).hasPrefix("[")
            if isHeader { skipping = false }
            do {
                if skipping {
                    try parseLine(raw, number: lineNo, section: &section, into: &scratch)
                } else {
                    try parseLine(raw, number: lineNo, section: &section, into: &doc)
                }
            } catch let e as SyntaxError {
                errors.append(e)
                if isHeader { skipping = true }
            } catch {
                errors.append(SyntaxError(line: lineNo, message: "\(error)"))
            }
        }
        return (doc, errors)
    }

    /// One line: a comment, a `[section]` header (which becomes the current section) or a key.
    static func parseLine(_ raw: Substring, number lineNo: Int, section: inout String, into doc: inout Document) throws {
        var line = Substring(raw)
        if line.last == "\r" { line = line.dropLast() }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return }
        if trimmed.hasPrefix("[") {
            guard !trimmed.hasPrefix("[[") else { throw SyntaxError(line: lineNo, message: "arrays of tables are not supported") }
            guard let close = trimmed.firstIndex(of: "]") else { throw SyntaxError(line: lineNo, message: "missing ] after the section name") }
            let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
            let rest = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
            guard rest.isEmpty || rest.hasPrefix("#") else { throw SyntaxError(line: lineNo, message: "unexpected text after [\(name)]") }
            guard isBareKey(name) else { throw SyntaxError(line: lineNo, message: "bad section name [\(name)] (letters, digits, _ and - only)") }
            guard doc[name] == nil else { throw SyntaxError(line: lineNo, message: "section [\(name)] appears twice") }
            doc[name] = [:]
            section = name
            return
        }
        guard let eq = trimmed.firstIndex(of: "=") else {
            throw SyntaxError(line: lineNo, message: "expected `key = value` or `[section]`")
        }
        let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty else { throw SyntaxError(line: lineNo, message: "missing key before =") }
        guard isBareKey(key) else {
            throw SyntaxError(line: lineNo, message: "bad key `\(key)` (letters, digits, _ and - only; quoted and dotted keys are not supported)")
        }
        let valueText = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        let value = try parseValue(Substring(valueText), line: lineNo)
        guard doc[section]?[key] == nil else {
            throw SyntaxError(line: lineNo, message: "key `\(key)` is set twice" + (section.isEmpty ? "" : " in [\(section)]"))
        }
        doc[section, default: [:]][key] = Entry(value: value, line: lineNo)
    }

    static func isBareKey(_ s: String) -> Bool {
        !s.isEmpty
            && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }
    }

    /// A value followed by nothing but an optional comment.
    static func parseValue(_ text: Substring, line: Int) throws -> Value {
        guard let first = text.first else { throw SyntaxError(line: line, message: "missing value after =") }
        var rest: Substring
        let value: Value
        switch first {
        case "\"":
            if text.hasPrefix("\"\"\"") { throw SyntaxError(line: line, message: "multi-line strings are not supported") }
            (value, rest) = try basicString(text.dropFirst(), line: line)
        case "'":
            if text.hasPrefix("'''") { throw SyntaxError(line: line, message: "multi-line strings are not supported") }
            guard let close = text.dropFirst().firstIndex(of: "'") else { throw SyntaxError(line: line, message: "unterminated string") }
            value = .string(String(text[text.index(after: text.startIndex)..<close]))
            rest = text[text.index(after: close)...]
        case "[", "{":
            throw SyntaxError(line: line, message: "arrays and inline tables are not supported")
        default:
            let end = text.firstIndex(where: { $0 == "#" || $0 == " " || $0 == "\t" }) ?? text.endIndex
            let token = String(text[..<end])
            rest = text[end...]
            value = try scalar(token, line: line)
        }
        rest = Substring(rest.trimmingCharacters(in: .whitespaces))
        guard rest.isEmpty || rest.hasPrefix("#") else {
            // Not quoted: the text may be the rest of a password holding a quote (`"pa"ss@host"`).
            throw SyntaxError(line: line, message: "unexpected text after the value (a quote inside a string is written \\\")")
        }
        return value
    }

    static func scalar(_ token: String, line: Int) throws -> Value {
        if token == "true" { return .bool(true) }
        if token == "false" { return .bool(false) }
        let digits = token.replacingOccurrences(of: "_", with: "")
        guard !token.hasPrefix("_"), !token.hasSuffix("_"), !token.contains("__") else {
            throw SyntaxError(line: line, message: "bad number \(quoted(token))")
        }
        if let i = Int(digits), digits.first != "0" || digits == "0" || digits.hasPrefix("0.") { return .integer(i) }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let d = Double(digits), d.isFinite,
            !digits.hasPrefix("."), !digits.hasSuffix(".")
        {
            return .float(d)
        }
        throw SyntaxError(line: line, message: "\(quoted(token)) is not a value: strings need quotes, booleans are true/false")
    }

    /// A bare token for an error message; one that looks like part of a URL or a credential
    /// (it holds `:` or `@`) is not shown, since a space or `#` may have cut a password in two.
    static func quoted(_ token: String) -> String {
        token.contains(where: { $0 == ":" || $0 == "@" }) ? "the unquoted text" : "`\(token)`"
    }

    /// A basic string after its opening quote: the value and what follows the closing quote.
    static func basicString(_ text: Substring, line: Int) throws -> (Value, Substring) {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "\"" { return (.string(out), text[text.index(after: i)...]) }
            if c == "\\" {
                i = text.index(after: i)
                guard i < text.endIndex else { break }
                switch text[i] {
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u", "U":
                    let width = text[i] == "u" ? 4 : 8
                    let start = text.index(after: i)
                    guard let end = text.index(start, offsetBy: width, limitedBy: text.endIndex),
                        let code = UInt32(text[start..<end], radix: 16), let scalar = Unicode.Scalar(code)
                    else {
                        throw SyntaxError(line: line, message: "bad \\u escape")
                    }
                    out.unicodeScalars.append(scalar)
                    i = text.index(before: end)
                default:
                    throw SyntaxError(line: line, message: "unknown escape \\\(text[i])")
                }
            } else {
                out.append(c)
            }
            i = text.index(after: i)
        }
        throw SyntaxError(line: line, message: "unterminated string")
    }
}
