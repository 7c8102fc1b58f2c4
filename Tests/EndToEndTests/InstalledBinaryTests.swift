import Foundation
import TestSupport
import Testing

/// The binary as scripts/bootstrap.sh installs it (`PREFIX/bin/bedside` beside
/// `PREFIX/share/bedside/demo`), run by name from a folder outside the checkout with a data
/// folder nobody filled: the demo corpus must be found from the binary's own path, not from
/// `argv[0]` (which is only `bedside` when the shell found it on the PATH) nor the working folder.
@Suite("Installed binary")
struct InstalledBinaryTests {
    @Test("bedside ask, run by name from a folder outside the checkout, finds the installed demo corpus")
    func askByNameFromHome() async throws {
        let scratch = try Scratch(prefix: "bedside-installed")
        defer { scratch.cleanup() }
        let fm = FileManager.default
        let prefix = scratch.file("prefix")
        try fm.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: prefix + "/share/bedside", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Bin.path, toPath: prefix + "/bin/bedside")
        try fm.copyItem(atPath: Bin.demoCorpus, toPath: prefix + "/share/bedside/demo")
        let home = scratch.file("home")
        try fm.createDirectory(atPath: home, withIntermediateDirectories: true)

        var environment = Bin.environment([:])
        environment["HOME"] = home
        environment["XDG_DATA_HOME"] = home + "/.local/share"
        environment["BEDSIDE_DEMO_CORPUS"] = nil
        environment["BEDSIDE_DB"] = nil
        environment["NO_COLOR"] = "1"
        environment["PATH"] = prefix + "/bin:" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try await Bin.cliSlots.withSlot {
            try await ChildProcess.run(
                "/bin/sh", ["-c", "cd \"$HOME\" && exec bedside ask 'What is the first-line fluid bolus in septic shock?'"],
                environment: environment)
        }
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stderr.contains(prefix + "/share/bedside/demo"), "stderr: \(result.stderr)")
        #expect(result.stdout.contains("[1]"), "stdout: \(result.stdout)")
        // Nothing was written into the working folder but the data folder under it.
        let left = try fm.contentsOfDirectory(atPath: home).filter { $0 != ".local" }
        #expect(left.isEmpty, "files left in the working folder: \(left)")
    }
}
