import Foundation

/// One setting: its place in `config.toml`, the `BEDSIDE_*` variables and the flag that set it.
public struct ConfigKey: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case string
        /// An `http://` or `https://` URL (user:password in it is redacted when shown).
        case url
        /// A `postgres://` (or `postgresql://`) URL; its password is redacted when shown.
        case postgresURL
        /// Letters, digits, `_` and `-` (a Qdrant collection name).
        case identifier
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        /// `"30s"`, `"5m"`, `"1h30m"`, or a number of seconds.
        case duration
        case bool
        case choice([String])
    }

    /// `""` for keys before any `[section]`.
    public var section: String
    public var name: String
    public var kind: Kind
    /// Variables read in this order; the first non-empty one wins.
    public var environment: [String]
    /// The command-line flag, for messages and the reference table.
    public var flag: String?
    /// Never printed: shown as `(set, redacted)`.
    public var secret: Bool
    /// False for a setting a command needs before (or apart from) the file, such as the
    /// database and the config file itself: only its variables and flag set it.
    public var inFile: Bool
    public var help: String

    public init(
        _ section: String, _ name: String, _ kind: Kind, env: [String] = [], flag: String? = nil, secret: Bool = false, inFile: Bool = true,
        help: String
    ) {
        self.section = section
        self.name = name
        self.kind = kind
        self.environment = env
        self.flag = flag
        self.secret = secret
        self.inFile = inFile
        self.help = help
    }

    /// The config file to read (`BEDSIDE_CONFIG`); read by `ConfigLayers.load`, before any file.
    public static let configFile = ConfigKey(
        "", "config", .string, env: ["BEDSIDE_CONFIG"], inFile: false,
        help: "The config file; a file named here must exist. Default: $XDG_CONFIG_HOME/bedside/config.toml, where none is fine.")

    /// `[gateway] idle_timeout` (or `retriever` at the top level), as errors name it.
    public var label: String { section.isEmpty ? name : "[\(section)] \(name)" }
    /// `gateway.idle_timeout`: how flags are passed to `ConfigLayers`.
    public var dotted: String { section.isEmpty ? name : "\(section).\(name)" }

    /// What a valid value looks like, for error messages.
    var expected: String {
        switch kind {
        case .string: "a quoted string"
        case .url: "an http:// or https:// URL"
        case .postgresURL: "a postgres:// URL (in the password, write / # ? @ : and a space as %2F %23 %3F %40 %3A %20)"
        case .identifier: "letters, digits, _ or -"
        case .integer(let r): "a whole number from \(r.lowerBound) to \(r.upperBound)"
        case .number(let r): "a number from \(Self.format(r.lowerBound)) to \(Self.format(r.upperBound))"
        case .duration: "a duration like \"30s\", \"5m\" or \"2h\""
        case .bool: "true or false"
        case .choice(let c): "one of " + c.joined(separator: ", ")
        }
    }

    static func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}

/// Where an effective value came from.
public enum ConfigOrigin: Sendable, Hashable, CustomStringConvertible {
    case defaultValue
    case file(path: String, line: Int)
    case environment(String)
    case flag(String)

    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line): "file \(path):\(line)"
        case .environment(let name): "env \(name)"
        case .flag(let name): "flag \(name)"
        }
    }
}

/// The layers of Bedside's configuration, lowest first: built-in defaults < `config.toml` <
/// `BEDSIDE_*` environment variables < command-line flags. Typed reads return the value of the
/// highest layer that sets a key, and a bad value is an error that names where it was written
/// (`config.toml:12: [gateway] idle_timeout: expected a duration like "30s", …, got "abc"`).
public struct ConfigLayers: Sendable {
    /// The file that was read; nil when there was none.
    public var filePath: String?
    /// The file `load` read or looked for: where messages tell the user to set a key.
    public var expectedPath = "config.toml"
    public var document: TOMLSubset.Document
    public var environment: [String: String]
    /// Flag values by `ConfigKey.dotted`, as typed on the command line.
    public var flags: [String: String]

    /// No file: defaults, then `environment`, then `flags`.
    public init(environment: [String: String] = [:], flags: [String: String] = [:]) {
        self.environment = environment
        self.flags = flags
        document = ["": [:]]
        filePath = nil
    }

    /// `fileText` as the file layer; syntax errors name `filePath` and the line.
    /// Every syntax error is reported, one line each.
    public init(fileText: String, filePath: String = "config.toml", environment: [String: String] = [:], flags: [String: String] = [:]) throws {
        let (document, errors) = TOMLSubset.parseAll(fileText)
        guard errors.isEmpty else {
            throw BedsideError(.config, errors.map { Self.syntaxProblem($0, filePath: filePath).message }.joined(separator: "\n"))
        }
        self.init(document: document, filePath: filePath, environment: environment, flags: flags)
    }

    init(document: TOMLSubset.Document, filePath: String?, environment: [String: String], flags: [String: String]) {
        self.init(environment: environment, flags: flags)
        self.document = document
        self.filePath = filePath
        expectedPath = filePath ?? expectedPath
    }

    /// A syntax error as a problem line; the message may quote a password cut in two, so it is redacted.
    static func syntaxProblem(_ e: TOMLSubset.SyntaxError, filePath: String) -> (line: Int, message: String) {
        (e.line, "\(filePath):\(e.line): \(SecretRedaction.redact(e.message))")
    }

    /// Reads `explicitPath` (which must exist), else `$BEDSIDE_CONFIG`, else `defaultPath`
    /// (where a missing file is not an error). With `known`, every problem in the file
    /// (syntax errors, unknown keys, values of the wrong kind) is reported at once, by line.
    public static func load(
        explicitPath: String? = nil, defaultPath: String, environment: [String: String],
        flags: [String: String] = [:], known: [ConfigKey]? = nil
    ) throws -> ConfigLayers {
        let named = try explicitPath ?? ConfigLayers(environment: environment).string(.configFile)
        let path = named.map { ($0 as NSString).expandingTildeInPath } ?? defaultPath
        guard FileManager.default.fileExists(atPath: path) else {
            if named != nil { throw BedsideError(.config, "The config file \(path) does not exist.") }
            var layers = ConfigLayers(environment: environment, flags: flags)
            layers.expectedPath = path
            return layers
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BedsideError(.config, "Cannot read the config file \(path) (not readable UTF-8 text).")
        }
        guard let known else { return try ConfigLayers(fileText: text, filePath: path, environment: environment, flags: flags) }
        let (document, errors) = TOMLSubset.parseAll(text)
        let layers = ConfigLayers(document: document, filePath: path, environment: environment, flags: flags)
        let problems = errors.map { syntaxProblem($0, filePath: path) } + layers.problems(known: known)
        guard problems.isEmpty else {
            throw BedsideError(.config, problems.sorted { $0.line < $1.line }.map(\.message).joined(separator: "\n"))
        }
        return layers
    }

    // MARK: Schema checks

    /// Every section and key in the file that no setting reads, each with its line (a typo
    /// must not be ignored). Empty when the file only holds known keys.
    public func unknownKeys(known: [ConfigKey]) -> [String] { unknownKeyProblems(known: known).map(\.message) }

    /// Unknown keys and file values of the wrong kind, each with its line, in line order.
    func problems(known: [ConfigKey]) -> [(line: Int, message: String)] {
        (unknownKeyProblems(known: known) + invalidFileValues(known: known)).sorted { $0.line < $1.line }
    }

    /// Each known key whose effective value is the file's and does not fit its kind (a value
    /// a variable or flag overrides is not in effect, so not reported). Messages are the typed
    /// reads' own, which hide secrets and URL passwords.
    func invalidFileValues(known: [ConfigKey]) -> [(line: Int, message: String)] {
        known.compactMap { key -> (line: Int, message: String)? in
            guard case .toml(_, let line)? = raw(key) else { return nil }
            do {
                switch key.kind {
                case .string, .url, .postgresURL, .identifier, .choice: _ = try string(key)
                case .integer: _ = try int(key)
                case .number: _ = try double(key)
                case .duration: _ = try duration(key)
                case .bool: _ = try bool(key)
                }
                return nil
            } catch {
                return (line, (error as? BedsideError)?.message ?? "\(error)")
            }
        }
    }

    func unknownKeyProblems(known: [ConfigKey]) -> [(line: Int, message: String)] {
        let file = filePath ?? "config.toml"
        var bySection: [String: Set<String>] = [:]
        for k in known where k.inFile { bySection[k.section, default: []].insert(k.name) }
        let sections = bySection.keys.filter { !$0.isEmpty }.sorted().map { "[\($0)]" }.joined(separator: ", ")
        var problems: [(Int, String)] = []
        for (section, entries) in document {
            guard let allowed = bySection[section] else {
                guard !entries.isEmpty || !section.isEmpty else { continue }
                let line = sectionLine(section) ?? 0
                problems.append((line, "\(file):\(line): unknown section [\(section)] (known: \(sections))"))
                continue
            }
            for (key, entry) in entries where !allowed.contains(key) {
                let where_ = section.isEmpty ? "at the top level" : "in [\(section)]"
                problems.append(
                    (entry.line, "\(file):\(entry.line): unknown key `\(key)` \(where_) (known: \(allowed.sorted().joined(separator: ", ")))"))
            }
        }
        return problems.sorted { $0.0 < $1.0 }
    }

    /// Throws one error listing every unknown section and key and every file value of the wrong kind.
    public func check(known: [ConfigKey]) throws {
        let problems = problems(known: known)
        guard problems.isEmpty else { throw BedsideError(.config, problems.map(\.message).joined(separator: "\n")) }
    }

    /// Whether the file has a `[section]` header or keys in it.
    public func fileHasSection(_ section: String) -> Bool { document[section] != nil }

    func sectionLine(_ section: String) -> Int? {
        // Sections record no line of their own; the first key's line minus one is the header's
        // when the header is followed directly by a key, which is how config files are written.
        document[section]?.values.map(\.line).min().map { max($0 - 1, 1) } ?? (document[section] != nil ? 1 : nil)
    }

    // MARK: Resolution

    /// Where `key`'s effective value comes from.
    public func origin(_ key: ConfigKey) -> ConfigOrigin {
        switch raw(key) {
        case .text(_, let origin)?: origin
        case .toml(_, let line)?: .file(path: filePath ?? "config.toml", line: line)
        case nil: .defaultValue
        }
    }

    enum Raw: Equatable {
        case text(String, ConfigOrigin)
        case toml(TOMLSubset.Value, line: Int)
    }

    func raw(_ key: ConfigKey) -> Raw? {
        if let flag = flags[key.dotted] { return .text(flag, .flag(key.flag ?? "--" + key.name)) }
        for name in key.environment {
            if let v = environment[name]?.trimmingCharacters(in: .whitespaces), !v.isEmpty { return .text(v, .environment(name)) }
        }
        if key.inFile, let e = document[key.section]?[key.name] { return .toml(e.value, line: e.line) }
        return nil
    }

    func error(_ key: ConfigKey, _ raw: Raw) -> BedsideError {
        switch raw {
        case .text(let text, let origin):
            let place: String
            switch origin {
            case .environment(let name), .flag(let name): place = "\(name) (\(key.label))"
            default: place = key.label
            }
            let shown = key.secret ? "a redacted value" : "\"\(SecretRedaction.redact(text))\""
            return BedsideError(.config, "\(place): expected \(key.expected), got \(shown)")
        case .toml(let value, let line):
            let shown = key.secret ? "a redacted value" : SecretRedaction.redact(value.description)
            return BedsideError(.config, "\(filePath ?? "config.toml"):\(line): \(key.label): expected \(key.expected), got \(shown)")
        }
    }

    /// A string-valued key (string, url, identifier, choice), checked against its kind.
    public func string(_ key: ConfigKey) throws -> String? {
        guard let raw = raw(key) else { return nil }
        let s: String
        switch raw {
        case .text(let t, _), .toml(.string(let t), _): s = t
        case .toml: throw error(key, raw)
        }
        switch key.kind {
        case .url: guard Self.isHTTPURL(s) else { throw error(key, raw) }
        case .postgresURL: guard Self.isPostgresURL(s) else { throw error(key, raw) }
        case .identifier: guard Self.isIdentifier(s) else { throw error(key, raw) }
        case .choice(let c):
            guard c.contains(s.lowercased()) else { throw error(key, raw) }
            return s.lowercased()
        default: break
        }
        return s
    }

    public func int(_ key: ConfigKey) throws -> Int? {
        guard let raw = raw(key) else { return nil }
        let n: Int?
        switch raw {
        case .text(let t, _): n = Int(t.replacingOccurrences(of: "_", with: ""))
        case .toml(.integer(let i), _): n = i
        case .toml: n = nil
        }
        guard let n else { throw error(key, raw) }
        if case .integer(let r) = key.kind, !r.contains(n) { throw error(key, raw) }
        return n
    }

    public func double(_ key: ConfigKey) throws -> Double? {
        guard let raw = raw(key) else { return nil }
        let d: Double?
        switch raw {
        case .text(let t, _): d = Double(t)
        case .toml(.integer(let i), _): d = Double(i)
        case .toml(.float(let f), _): d = f
        case .toml: d = nil
        }
        guard let d, d.isFinite else { throw error(key, raw) }
        if case .number(let r) = key.kind, !r.contains(d) { throw error(key, raw) }
        return d
    }

    /// Seconds: `"90s"`, `"30m"`, `"1h30m"`, `"2d"`, or a bare number of seconds (above zero).
    public func duration(_ key: ConfigKey) throws -> TimeInterval? {
        guard let raw = raw(key) else { return nil }
        let seconds: TimeInterval?
        switch raw {
        case .text(let t, _), .toml(.string(let t), _): seconds = try? parseDuration(t)
        case .toml(.integer(let i), _): seconds = i > 0 ? Double(i) : nil
        case .toml(.float(let f), _): seconds = f > 0 && f.isFinite ? f : nil
        case .toml: seconds = nil
        }
        guard let seconds else { throw error(key, raw) }
        return seconds
    }

    /// `true`/`false` in the file; `1/true/yes/on` or `0/false/no/off` in variables and flags.
    public func bool(_ key: ConfigKey) throws -> Bool? {
        guard let raw = raw(key) else { return nil }
        switch raw {
        case .toml(.bool(let b), _): return b
        case .text(let t, _):
            switch t.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw error(key, raw)
            }
        case .toml: throw error(key, raw)
        }
    }

    public static func isPostgresURL(_ s: String) -> Bool {
        (s.hasPrefix("postgres://") || s.hasPrefix("postgresql://")) && !s.contains(" ") && URLComponents(string: s)?.host != nil
    }

    public static func isHTTPURL(_ s: String) -> Bool {
        (s.hasPrefix("http://") || s.hasPrefix("https://")) && s.count > "http://".count && !s.contains(" ")
    }

    public static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 255
            && s.unicodeScalars.allSatisfy { ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }
}

/// A setting bound to a field of `Root`: read from the layers into it, and shown from it.
public struct ConfigBinding<Root>: Sendable {
    public let key: ConfigKey
    let apply: @Sendable (inout Root, ConfigLayers) throws -> Void
    let show: @Sendable (Root) -> String?

    public init(
        _ key: ConfigKey, apply: @escaping @Sendable (inout Root, ConfigLayers) throws -> Void,
        show: @escaping @Sendable (Root) -> String?
    ) {
        self.key = key
        self.apply = apply
        self.show = show
    }

    public static func string(_ key: ConfigKey, _ path: any WritableKeyPath<Root, String> & Sendable) -> Self {
        Self(key, apply: { root, l in if let v = try l.string(key) { root[keyPath: path] = v } }, show: { $0[keyPath: path] })
    }

    public static func optionalString(_ key: ConfigKey, _ path: any WritableKeyPath<Root, String?> & Sendable) -> Self {
        Self(key, apply: { root, l in if let v = try l.string(key) { root[keyPath: path] = v } }, show: { $0[keyPath: path] })
    }

    public static func int(_ key: ConfigKey, _ path: any WritableKeyPath<Root, Int> & Sendable) -> Self {
        Self(key, apply: { root, l in if let v = try l.int(key) { root[keyPath: path] = v } }, show: { String($0[keyPath: path]) })
    }

    public static func double(_ key: ConfigKey, _ path: any WritableKeyPath<Root, Double> & Sendable) -> Self {
        Self(
            key, apply: { root, l in if let v = try l.double(key) { root[keyPath: path] = v } },
            show: { ConfigKey.format($0[keyPath: path]) })
    }

    public static func duration(_ key: ConfigKey, _ path: any WritableKeyPath<Root, TimeInterval> & Sendable) -> Self {
        Self(
            key, apply: { root, l in if let v = try l.duration(key) { root[keyPath: path] = v } },
            show: { formatDuration($0[keyPath: path]) })
    }

    public static func bool(_ key: ConfigKey, _ path: any WritableKeyPath<Root, Bool> & Sendable) -> Self {
        Self(key, apply: { root, l in if let v = try l.bool(key) { root[keyPath: path] = v } }, show: { String($0[keyPath: path]) })
    }

    public static func choice<E: RawRepresentable & Sendable>(_ key: ConfigKey, _ path: any WritableKeyPath<Root, E> & Sendable) -> Self
    where E.RawValue == String {
        Self(
            key,
            apply: { root, l in
                if let v = try l.string(key), let e = E(rawValue: v) { root[keyPath: path] = e }
            }, show: { $0[keyPath: path].rawValue })
    }
}

/// One line of `bedside config`: the effective value (secrets redacted) and where it came from.
public struct ConfigRow: Sendable, Hashable {
    public var key: ConfigKey
    /// Nil when the setting is off or its component is not configured.
    public var value: String?
    public var origin: ConfigOrigin

    public init(key: ConfigKey, value: String?, origin: ConfigOrigin) {
        self.key = key
        self.value = value
        self.origin = origin
    }
}

extension Array {
    /// Applies every binding, highest layer first per key.
    public func apply<Root>(to root: inout Root, from layers: ConfigLayers) throws where Element == ConfigBinding<Root> {
        for binding in self { try binding.apply(&root, layers) }
    }

    /// The rows of `bedside config` for `root`; `root` nil means the component is not configured.
    public func rows<Root>(_ root: Root?, layers: ConfigLayers) -> [ConfigRow] where Element == ConfigBinding<Root> {
        map { b in
            ConfigRow(key: b.key, value: root.flatMap { b.show($0) }.map { ConfigRedaction.display($0, for: b.key) }, origin: layers.origin(b.key))
        }
    }
}

/// Keeps secrets out of anything printed.
public enum ConfigRedaction {
    public static let redacted = "(set, redacted)"

    /// `value` as it may be shown for `key`: secrets hidden, URL credentials hidden.
    public static func display(_ value: String, for key: ConfigKey) -> String {
        if key.secret { return value.isEmpty ? "" : redacted }
        switch key.kind {
        case .url, .postgresURL: return url(value)
        default: return value
        }
    }

    /// A URL with its `user:password@` and token-like query parameters hidden, whatever
    /// characters the password holds (`SecretRedaction`).
    public static func url(_ s: String) -> String { SecretRedaction.redact(s) }

    /// `text` with the `user:password@` of every URL in it replaced by `***@`, and each of
    /// `secrets` (four characters or more) by `***`: for messages that quote URLs.
    public static func scrub(_ text: String, secrets: [String] = []) -> String { SecretRedaction.redact(text, secrets: secrets) }

    /// The table `bedside config` prints: key, value, origin.
    public static func table(_ rows: [ConfigRow]) -> String {
        let keys = rows.map { $0.key.dotted }
        let values = rows.map { $0.value ?? "-" }
        let kw = keys.map(\.count).max() ?? 0
        let vw = Swift.min(values.map(\.count).max() ?? 0, 60)
        return zip(rows, zip(keys, values)).map { row, kv in
            kv.0.padding(toLength: kw, withPad: " ", startingAt: 0) + "  "
                + (kv.1.count < vw ? kv.1.padding(toLength: vw, withPad: " ", startingAt: 0) : kv.1) + "  " + row.origin.description
        }.joined(separator: "\n")
    }

    /// The reference table (Markdown) of every key, variable and flag.
    public static func reference(_ keys: [ConfigKey], defaults: [String: String]) -> String {
        var lines = ["| Key (config.toml) | Environment | Flag | Default | Meaning |", "|---|---|---|---|---|"]
        for k in keys {
            let file = (k.section.isEmpty ? "`\(k.name)`" : "`[\(k.section)] \(k.name)`") + (k.inFile ? "" : " (not in the file)")
            let env = k.environment.map { "`\($0)`" }.joined(separator: ", ")
            let flag = k.flag.map { "`\($0)`" } ?? ""
            let def = defaults[k.dotted].map { $0.isEmpty ? "" : "`\($0)`" } ?? ""
            lines.append("| \(file) | \(env) | \(flag) | \(def) | \(k.help.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n")
    }
}

/// `90` → `"90s"`, `5400` → `"1h30m"`: how durations are shown.
public func formatDuration(_ seconds: TimeInterval) -> String {
    guard seconds.isFinite, seconds > 0 else { return String(seconds) }
    if seconds != seconds.rounded() || seconds < 1 { return ConfigKey.format(seconds) + "s" }
    var rest = Int(seconds)
    var out = ""
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
        out += "\(rest / size)\(unit)"
        rest %= size
    }
    return out
}
