import Foundation

/// A `bedside serve` running in the background for a test, with its log captured.
final class ServerProcess {
    let process = Process()
    let url: String
    private let log: Locked<Data>

    /// Starts `bedside serve --port 0 …` and waits for its "listening" log line.
    init(_ args: [String], env: [String: String] = [:], timeout: TimeInterval = 60) throws {
        process.executableURL = URL(fileURLWithPath: Bin.path)
        process.arguments = ["serve", "--port", "0"] + args
        process.environment = Bin.environment(env)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let log = Locked(Data())
        self.log = log
        out.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            if !d.isEmpty { var all = log.get(); all.append(d); log.set(all) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var found: String?
        while Date() < deadline, process.isRunning, found == nil {
            let text = String(decoding: log.get(), as: UTF8.self)
            if let r = text.range(of: #""url":"(http://[^"]+)""#, options: .regularExpression) {
                found = String(text[r]).replacingOccurrences(of: "\"url\":\"", with: "").replacingOccurrences(of: "\"", with: "")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let found else {
            process.terminate()
            throw TestError("bedside serve did not start: \(String(decoding: log.get(), as: UTF8.self))")
        }
        url = found
    }

    var output: String { String(decoding: log.get(), as: UTF8.self) }

    /// Sends a signal and waits for the process to exit; returns its status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: TimeInterval = 30) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
