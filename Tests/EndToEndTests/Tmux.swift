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

    /// Runs `tmux ARGS` and returns its standard output.
    ///
    /// Not through Foundation's `Process`: on Linux it hands the child a socket it watches to
    /// learn when the child is gone, and `new-session` forks the tmux server, which inherits
    /// that socket and keeps it open for its whole life, so `waitUntilExit` never returns.
    /// Here the child is spawned with every descriptor above stderr closed, and reaped with
    /// `waitpid`.
    @discardableResult
    static func tmux(_ args: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "bedside-tmux-out-\(UUID().uuidString)"
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw TestError("posix_spawn_file_actions_addclosefrom_np failed") }
        let argv = (["tmux"] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The tmux server keeps the environment it starts with; the console must not pick up
        // the developer's or CI's BEDSIDE_* settings (a live LLM, say) or their config file.
        // Its data folder (replicas, a default database) is the test run's own, not the user's.
        let inherited = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("BEDSIDE_") && $0.key != "XDG_CONFIG_HOME" && $0.key != "XDG_DATA_HOME"
        }
        let variables: [String] = inherited.map { "\($0.key)=\($0.value)" }
            + ["XDG_CONFIG_HOME=/nonexistent/bedside-test", "XDG_DATA_HOME=\(Bin.scratchDataHome)"]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestError("cannot start tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = FileManager.default.contents(atPath: outPath) ?? Data()
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw TestError("tmux \(args.joined(separator: " ")) failed (status \(status))") }
        return String(decoding: output, as: UTF8.self)
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not import.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed for posix_spawn_file_actions_addclosefrom_np")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

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
