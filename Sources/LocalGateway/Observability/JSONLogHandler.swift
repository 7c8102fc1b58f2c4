import Core
import Foundation
import Logging

/// Writes each log event as one JSON object per line: `ts`, `level`, `msg`, `label`, then
/// the metadata as top-level fields (numbers and booleans stay numbers and booleans).
/// Machine-readable on stdout, so `jq` and log shippers can read the request log. Text
/// fields go through `SecretRedaction`: an error may quote a URL with its password.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    private let label: String
    private let sink: LogSink

    public init(label: String, level: Logger.Level = .info, sink: LogSink = .standardOutput) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var line = #"{"ts":"\#(Self.timestamp(Date()))","level":"\#(event.level.rawValue)","msg":"#
        JSONText.appendString(SecretRedaction.redact(event.message.description), to: &line)
        line += ",\"label\":"
        JSONText.appendString(label, to: &line)
        for key in fields.keys.sorted() where !["ts", "level", "msg", "label"].contains(key) {
            line += ","
            JSONText.appendString(key, to: &line)
            line += ":"
            Self.append(fields[key]!, to: &line)
        }
        line += "}\n"
        sink.write(line)
    }

    private static func append(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s):
            JSONText.appendString(SecretRedaction.redact(s), to: &out)
        case .stringConvertible(let v):
            switch v {
            case let n as Int: out += String(n)
            case let n as Int64: out += String(n)
            case let d as Double where d.isFinite: out += String(d)
            case let b as Bool: out += b ? "true" : "false"
            default: JSONText.appendString(SecretRedaction.redact(v.description), to: &out)
            }
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                append(item, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONText.appendString(key, to: &out)
                out += ":"
                append(dict[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// `2024-05-01T12:34:56.789Z`, formatted by hand (a formatter per line costs microseconds).
    static func timestamp(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        let millis = Int((t - t.rounded(.down)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}

/// Loggers for the gateway.
public enum GatewayLogging {
    /// A JSON-lines logger on stdout at the configured level, without touching the global
    /// `LoggingSystem` (the executable may have bootstrapped it for something else).
    public static func makeLogger(configuration: GatewayConfiguration, label: String = "bedside.gateway", sink: LogSink = .standardOutput) -> Logger {
        let level = configuration.logLevel
        return Logger(label: label) { label in JSONLogHandler(label: label, level: level, sink: sink) }
    }

    /// A logger that writes nothing.
    public static var silent: Logger { Logger(label: "bedside.gateway") { _ in SwiftLogNoOpLogHandler() } }
}
