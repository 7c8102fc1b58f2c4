import Foundation

/// Drives a program inside a detached tmux session: type keys, read the screen.
/// Each instance uses its own tmux server socket so tests never touch a user's tmux.
final class Tmux {
    let socket: String
    let session = "bedside"
    /// Captured screens, kept for the test output when something fails.
    private(set) var screens: [(label: String, text: String)] = []

    init(command: [String], env: [String: String], width: Int = 120, height: Int = 40) throws {
        socket = NSTemporaryDirectory() + "bedside-tmux-\(UUID().uuidString.prefix(8))"
        let envArgs = env.flatMap { ["-e", "\($0.key)=\($0.value)"] }
        try Self.tmux(["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", String(width), "-y", String(height)] + envArgs + ["--"] + command)
        try? Self.tmux(["-S", socket, "set-option", "-t", session, "remain-on-exit", "on"])
    }

    static var available: Bool {
        (try? tmux(["-V"])) != nil
    }

    @discardableResult
    static func tmux(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["tmux"] + args
        // Output goes to a file, not a pipe: `new-session` forks the tmux server, which would
        // inherit a pipe and keep it open, so reading to EOF would never return.
        let outPath = NSTemporaryDirectory() + "bedside-tmux-out-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try? out.close()
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        guard p.terminationStatus == 0 else { throw TestError("tmux \(args.joined(separator: " ")) failed (\(p.terminationStatus))") }
        return String(decoding: data, as: UTF8.self)
    }

    /// Sends keys as tmux names them (`Enter`, `Escape`, `C-c`, `Tab`) or literal text with `literal: true`.
    func send(_ keys: String..., literal: Bool = false) throws {
        try Self.tmux(["-S", socket, "send-keys", "-t", session] + (literal ? ["-l"] : []) + keys)
    }

    func type(_ text: String) throws { try send(text, literal: true) }

    /// The visible screen; `escapes` keeps SGR sequences (to find highlighted text).
    func capture(escapes: Bool = false, label: String? = nil) throws -> String {
        let text = try Self.tmux(["-S", socket, "capture-pane", "-p", "-t", session] + (escapes ? ["-e"] : []))
        if let label { screens.append((label, text)) }
        return text
    }

    /// Polls the screen until `predicate` holds or the timeout passes; returns the last screen.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 30, escapes: Bool = false, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try capture(escapes: escapes)
            if predicate(last) { screens.append((what, last)); return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        screens.append(("TIMEOUT waiting for \(what)", last))
        throw TestError("timed out waiting for \(what); screen:\n\(last)")
    }

    func waitFor(text: String, timeout: TimeInterval = 30) throws -> String {
        try waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Writes every captured screen to `$BEDSIDE_TEST_OUTPUT/NAME.screens.txt` (or the temp dir).
    func saveScreens(_ name: String) {
        let dir = ProcessInfo.processInfo.environment["BEDSIDE_TEST_OUTPUT"] ?? NSTemporaryDirectory()
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = screens.map { "===== \($0.label)\n\($0.text)" }.joined(separator: "\n")
        try? text.write(toFile: dir + "/\(name).screens.txt", atomically: true, encoding: .utf8)
    }

    func kill() {
        _ = try? Self.tmux(["-S", socket, "kill-server"])
        try? FileManager.default.removeItem(atPath: socket)
    }
}
