import Foundation
import TestSupport

/// A `bedside serve` running in the background for a test, with its log captured.
final class ServerProcess: Sendable {
    let child: ChildProcess
    let url: String

    private init(child: ChildProcess, url: String) {
        self.child = child
        self.url = url
    }

    /// Starts `bedside serve --port 0 …` and waits (suspended) for its "listening" log line.
    static func start(_ args: [String], env: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> ServerProcess {
        let child = try ChildProcess(Bin.path, ["serve", "--port", "0"] + args, environment: Bin.environment(env), mergeStderr: true)
        do {
            let url = try await Poll.until("bedside serve to listen", timeout: timeout, every: .milliseconds(20)) { () -> String? in
                if !child.isRunning { throw TestError("bedside serve exited") }
                let text = child.stdout
                guard let r = text.range(of: #""url":"(http://[^"]+)""#, options: .regularExpression) else { return nil }
                return String(text[r]).replacingOccurrences(of: "\"url\":\"", with: "").replacingOccurrences(of: "\"", with: "")
            }
            return ServerProcess(child: child, url: url)
        } catch {
            await child.stop(signal: SIGKILL)
            throw TestError("bedside serve did not start (\(error)): \(child.stdout)")
        }
    }

    var output: String { child.stdout }
    var isRunning: Bool { child.isRunning }

    /// SIGKILL without waiting (for `defer`; the exit is reaped in the background).
    func kill() { child.signal(SIGKILL) }

    /// Sends a signal and waits for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async -> Int32 {
        await child.stop(signal: signal, timeout: timeout)
    }
}
