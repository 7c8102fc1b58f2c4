import Core
import Foundation
import TestSupport

/// Drives a program inside a detached tmux session: type keys, read the screen.
/// Each instance uses its own tmux server socket (`tmux -S PATH`), so tests running in
/// parallel never share a server, and never touch a user's tmux.
final class Tmux: Sendable {
    let socket: String
    let session = "bedside"
    /// Captured screens, kept for the test output when something fails.
    private let screens = Locked<[(label: String, text: String)]>([])

    private init(socket: String) { self.socket = socket }

    static func start(command: [String], env: [String: String], width: Int = 120, height: Int = 40) async throws -> Tmux {
        let tmux = Tmux(socket: NSTemporaryDirectory() + "bedside-tmux-\(UUID().uuidString.prefix(8))")
        let envArgs = env.flatMap { ["-e", "\($0.key)=\($0.value)"] }
        // remain-on-exit is set before the session exists, in the same tmux command: set after
        // `new-session`, a program that exits at once took its session (and its last words) with it,
        // and the test could only report an empty screen.
        try await tmux.run(
            ["start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";"]
                + ["new-session", "-d", "-s", tmux.session, "-x", String(width), "-y", String(height)] + envArgs + ["--"] + command)
        return tmux
    }

    static let available: Bool = {
        var status: Int32 = 0
        guard let pid = try? spawn(["-V"], output: "/dev/null") else { return false }
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status == 0
    }()

    /// Runs `tmux -S SOCKET -f /dev/null ARGS` and returns its standard output.
    @discardableResult
    func run(_ args: [String]) async throws -> String {
        try await Self.tmux(["-S", socket, "-f", "/dev/null"] + args)
    }

    /// Runs `tmux ARGS` and returns its standard output, suspending (not blocking) until it exits.
    ///
    /// Not through Foundation's `Process`: on Linux it hands the child a socket it watches to
    /// learn when the child is gone, and `new-session` forks the tmux server, which inherits
    /// that socket and keeps it open for its whole life, so the exit is never reported.
    /// Here the child is spawned with every descriptor above stderr closed, and reaped with
    /// `waitpid(WNOHANG)` between short async sleeps.
    @discardableResult
    static func tmux(_ args: [String]) async throws -> String {
        let outPath = NSTemporaryDirectory() + "bedside-tmux-out-\(UUID().uuidString)"
        defer { unlink(outPath) }
        let pid = try spawn(args, output: outPath)
        let status: Int32
        do {
            // Polled (no exit notice can reach us, see above), with a deadline: a tmux that never
            // exits fails the test instead of hanging it.
            status = try await Poll.until("tmux \(args.joined(separator: " ")) to exit", timeout: .seconds(60), every: .milliseconds(2)) {
                () -> Int32? in
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid { return status }
                if reaped == -1 && errno != EINTR { throw TestError("waitpid failed for tmux \(args.joined(separator: " "))") }
                return nil
            }
        } catch {
            signalProcess(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0) // returns at once after SIGKILL
            throw error
        }
        let output = FileManager.default.contents(atPath: outPath) ?? Data()
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else { throw TestError("tmux \(args.joined(separator: " ")) failed (status \(status))") }
        return String(decoding: output, as: UTF8.self)
    }

    private static func spawn(_ args: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw TestError("posix_spawn_file_actions_addclosefrom_np failed") }
        let argv = (["tmux"] + args).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The tmux server keeps the environment it starts with; the console must not pick up
        // the developer's or CI's BEDSIDE_* settings (a live LLM, say) or their config file.
        // Its data folder (replicas, a default database) is the test's own, not the user's.
        let inherited = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("BEDSIDE_") && $0.key != "XDG_CONFIG_HOME" && $0.key != "XDG_DATA_HOME"
        }
        let variables: [String] =
            inherited.map { "\($0.key)=\($0.value)" }
            + ["XDG_CONFIG_HOME=/nonexistent/bedside-test", "XDG_DATA_HOME=\(Bin.dataHome)"]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        // Nothing blocked and default dispositions in the child, as a shell would start it (the
        // spawning thread, a worker of Swift's cooperative pool, blocks most signals, SIGWINCH too).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw TestError("cannot start tmux: \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does not import.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("glibc 2.34 or later is needed for posix_spawn_file_actions_addclosefrom_np")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Sends keys as tmux names them (`Enter`, `Escape`, `C-c`, `Tab`) or literal text with `literal: true`.
    func send(_ keys: String..., literal: Bool = false) async throws {
        try await run(["send-keys", "-t", session] + (literal ? ["-l"] : []) + keys)
    }

    func type(_ text: String) async throws { try await send(text, literal: true) }

    /// Resizes the session's window (below the console's minimum, and back).
    func resize(width: Int, height: Int) async throws {
        try await run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
    }

    /// The visible screen; `escapes` keeps SGR sequences (to find highlighted text).
    func capture(escapes: Bool = false, label: String? = nil) async throws -> String {
        let text = try await run(["capture-pane", "-p", "-t", session] + (escapes ? ["-e"] : []))
        if let label { screens.withLock { $0.append((label, text)) } }
        return text
    }

    /// Polls the screen until `predicate` holds or the timeout passes; returns the last screen.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(30), escapes: Bool = false, _ predicate: (String) -> Bool) async throws -> String {
        var last = ""
        do {
            let screen = try await Poll.until(what, timeout: timeout, every: .milliseconds(100)) { () -> String? in
                last = try await capture(escapes: escapes)
                return predicate(last) ? last : nil
            }
            screens.withLock { $0.append((what, screen)) }
            return screen
        } catch {
            // Why the screen stopped changing: the program exited (its status), or tmux itself failed.
            let pane = (try? await run(["display-message", "-p", "-t", session, "#{?pane_dead,exited with status #{pane_dead_status},running}"]))
            let state = pane.map { "the program \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "tmux: \(error)"
            screens.withLock { $0.append(("TIMEOUT waiting for \(what) (\(state))", last)) }
            throw TestError("timed out waiting for \(what) (\(state)); screen:\n\(last)")
        }
    }

    func waitFor(text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitFor("'\(text)'", timeout: timeout) { $0.contains(text) }
    }

    /// Writes every captured screen to `$BEDSIDE_TEST_OUTPUT/NAME.screens.txt` (or the temp dir).
    func saveScreens(_ name: String) {
        let dir = ProcessInfo.processInfo.environment["BEDSIDE_TEST_OUTPUT"] ?? NSTemporaryDirectory()
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = screens.current.map { "===== \($0.label)\n\($0.text)" }.joined(separator: "\n")
        try? text.write(toFile: dir + "/\(name).screens.txt", atomically: true, encoding: .utf8)
    }

    /// Stops this test's tmux server (from `defer`: the exit is not awaited) and removes its socket.
    func kill() {
        let socket = self.socket
        guard let pid = try? Self.spawn(["-S", socket, "kill-server"], output: "/dev/null") else {
            try? FileManager.default.removeItem(atPath: socket)
            return
        }
        // Reaped in the background, so it does not linger as a zombie; the socket goes after.
        Task.detached {
            var status: Int32 = 0
            for _ in 0..<2_500 {
                if waitpid(pid, &status, WNOHANG) != 0 { break }
                try? await Task.sleep(for: .milliseconds(2))
            }
            try? FileManager.default.removeItem(atPath: socket)
        }
    }
}

/// `kill(2)`, under a name that `Tmux.kill()` does not shadow.
private func signalProcess(_ pid: pid_t, _ signal: Int32) { _ = kill(pid, signal) }
