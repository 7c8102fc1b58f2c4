import Foundation
import TestSupport
import Testing

/// The binary as scripts/bootstrap.sh installs it (`PREFIX/bin/bedside` beside
/// `PREFIX/share/bedside/demo`), run by name from a home folder outside the checkout with a
/// data folder nobody filled: the demo corpus must be found from the binary's own path, not
/// from `argv[0]` (only `bedside` when the shell found it on the PATH) nor the working folder,
/// for `ask`, `serve` and the console alike.
@Suite("Installed binary")
struct InstalledBinaryTests {
    /// A prefix with the installed layout and an empty home folder, in a scratch folder.
    struct Install {
        let scratch: Scratch
        var prefix: String { scratch.file("prefix") }
        var home: String { scratch.file("home") }

        init() async throws {
            scratch = try Scratch(prefix: "bedside-installed")
            let fm = FileManager.default
            try fm.createDirectory(atPath: scratch.file("prefix/bin"), withIntermediateDirectories: true)
            try fm.createDirectory(atPath: scratch.file("prefix/share/bedside"), withIntermediateDirectories: true)
            try await Self.install(binary: Bin.path, at: scratch.file("prefix/bin/bedside"))
            try fm.copyItem(atPath: Bin.demoCorpus, toPath: scratch.file("prefix/share/bedside/demo"))
            try fm.createDirectory(atPath: scratch.file("home"), withIntermediateDirectories: true)
        }

        /// Puts the binary at `destination` without this process ever holding it open for writing:
        /// a hard link where the file system allows, else a copy made by `cp` in a child process.
        ///
        /// Not `FileManager.copyItem`: it opens the copy without O_CLOEXEC, and Foundation's `Process`
        /// on Linux closes in a new child only the descriptors it listed just before spawning. A child
        /// another test spawned while the copy was being written could keep the write descriptor for
        /// its whole life (a `bedside serve`, say), and while it does, running the copy fails with
        /// ETXTBSY: the shell in the console's pane exits at once and the session goes with it.
        static func install(binary: String, at destination: String) async throws {
            if link(binary, destination) == 0 { return }
            let copy = try await ChildProcess.run("/bin/cp", [binary, destination])
            guard copy.status == 0 else { throw TestError("cp \(binary) \(destination) failed: \(copy.stderr)") }
        }

        /// A fresh user's environment: this home, its data folder, the prefix first on the PATH.
        var environment: [String: String] {
            var environment = Bin.environment([:])
            environment["HOME"] = home
            environment["XDG_DATA_HOME"] = home + "/.local/share"
            environment["BEDSIDE_DEMO_CORPUS"] = nil
            environment["BEDSIDE_DB"] = nil
            environment["NO_COLOR"] = "1"
            environment["PATH"] = prefix + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
            return environment
        }

        /// `cd ~ && exec bedside ARGS`, by name, through the shell. The PATH is set in the
        /// command itself: tmux gives a new session the client's PATH whatever `-e` says.
        func byName(_ args: String) -> [String] {
            ["/bin/sh", "-c", "export PATH=\"\(prefix)/bin:$PATH\"; cd \"$HOME\" && exec bedside \(args)"]
        }

        /// Files left in the home folder besides the data folder.
        func leftInHome() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: home).filter { $0 != ".local" } }
    }

    @Test("bedside ask, run by name from a folder outside the checkout, finds the installed demo corpus")
    func askByNameFromHome() async throws {
        let install = try await Install()
        defer { install.scratch.cleanup() }
        let result = try await Bin.cliSlots.withSlot {
            try await ChildProcess.run(
                "/bin/sh", Array(install.byName("ask 'What is the first-line fluid bolus in septic shock?'").dropFirst()),
                environment: install.environment)
        }
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stderr.contains(install.prefix + "/share/bedside/demo"), "stderr: \(result.stderr)")
        #expect(result.stdout.contains("30 mL/kg") && result.stdout.contains("[1]"), "stdout: \(result.stdout)")
        #expect(try install.leftInHome().isEmpty)
    }

    @Test("bedside serve, run by name from a folder outside the checkout, answers from the installed demo corpus")
    func serveByNameFromHome() async throws {
        let install = try await Install()
        defer { install.scratch.cleanup() }
        let child = try ChildProcess(
            "/bin/sh", Array(install.byName("serve --port 0").dropFirst()), environment: install.environment, mergeStderr: true)
        defer { child.signal(SIGKILL) }
        let url = try await Poll.until("bedside serve to listen", timeout: .seconds(60), every: .milliseconds(20)) { () -> String? in
            if !child.isRunning { throw TestError("bedside serve exited: \(child.stdout)") }
            let text = child.stdout
            guard let r = text.range(of: #""url":"(http://[^"]+)""#, options: .regularExpression) else { return nil }
            return String(text[r]).replacingOccurrences(of: "\"url\":\"", with: "").replacingOccurrences(of: "\"", with: "")
        }
        #expect(child.stdout.contains(install.prefix + "/share/bedside/demo"), "\(child.stdout)")
        let token = try await ChildProcess.run(
            "/bin/sh", Array(install.byName("token create --subject installed").dropFirst()), environment: install.environment)
        #expect(token.status == 0, "\(token.stderr)")
        let ask = try await ChildProcess.run(
            "/bin/sh",
            Array(
                install.byName(
                    "ask --gateway \(url) --token \(token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) 'Septic shock fluid bolus?'"
                ).dropFirst()),
            environment: install.environment)
        #expect(ask.status == 0, "stdout: \(ask.stdout)\nstderr: \(ask.stderr)")
        #expect(ask.stdout.contains("[1]"), "\(ask.stdout)")
    }

    @Test("the console, run by name from a folder outside the checkout, opens on the installed demo corpus")
    func consoleByNameFromHome() async throws {
        guard Tmux.available else { return }
        let install = try await Install()
        defer { install.scratch.cleanup() }
        var env = install.environment
        env["TERM"] = "xterm-256color"
        env["LANG"] = "C.UTF-8"
        env["LC_ALL"] = "C.UTF-8"
        let keep = ["HOME", "XDG_DATA_HOME", "PATH", "TERM", "LANG", "LC_ALL", "NO_COLOR"]
        let tui = try await Tmux.start(command: install.byName(""), env: env.filter { keep.contains($0.key) })
        defer {
            tui.saveScreens("tui-installed")
            tui.kill()
        }
        try await tui.waitFor("console ready") { $0.contains("Question") }
        try await tui.type("What is the first-line fluid bolus in septic shock?")
        try await tui.send("Enter")
        let answer = try await tui.waitFor("cited answer", timeout: .seconds(60)) { $0.contains("30 mL/kg") && $0.contains("[1]") }
        #expect(!answer.contains("demo corpus was not found"))
    }
}
