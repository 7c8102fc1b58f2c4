/// Where log lines go: each `write` is one whole line, which the sink never interleaves
/// with another.
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ writeLine: @escaping @Sendable (String) -> Void) { self.writeLine = writeLine }

    public func write(_ line: String) { writeLine(line) }

    /// Standard output, written by `LineWriter` off the caller's thread (the cached fast path
    /// logs from the event loop): a full queue drops and counts lines instead of blocking.
    public static let standardOutput = LogSink { LineWriter.standardOutput.write($0) }

    /// Discards everything (the embedded gateway under the TUI, where stdout is the screen).
    public static let discard = LogSink { _ in }
}
