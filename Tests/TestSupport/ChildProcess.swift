import Core
import Foundation

/// What a finished process left: its exit status and what it wrote.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A child process a test awaits without holding a thread.
///
/// Its output goes to files in a folder of its own (no pipe to drain, so a chatty child never
/// blocks and nothing reads on a thread of Swift's cooperative pool); its exit arrives through
/// `Process.terminationHandler` and resumes whoever awaits it. So end-to-end tests run in the
/// same parallel `swift test` run as everything else.
public final class ChildProcess: Sendable {
    private let process: Process
    private let exit = ExitState()
    private let folder: TempDirectory
    /// Where the child's standard output goes (and its standard error, when merged).
    public let stdoutPath: String
    public let stderrPath: String

    /// Starts `executable` with `arguments` and `environment` (the test process's when nil);
    /// `stdin` is what it reads, then end of file. `mergeStderr` sends both streams to one file.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
        mergeStderr: Bool = false
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestError("\(executable) is not an executable file")
        }
        folder = try TempDirectory(prefix: "bedside-child")
        stdoutPath = folder.file("stdout")
        stderrPath = mergeStderr ? stdoutPath : folder.file("stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = try Self.handle(writing: stdoutPath)
        let err = mergeStderr ? out : try Self.handle(writing: stderrPath)
        process.standardOutput = out
        process.standardError = err
        let input: FileHandle
        if let stdin {
            let path = folder.file("stdin")
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: path))
            input = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } else {
            input = FileHandle.nullDevice
        }
        process.standardInput = input
        let exit = self.exit
        process.terminationHandler = { finished in exit.finish(finished.terminationStatus) }
        self.process = process
        do {
            try Self.withSignalsUnblocked { try process.run() }
        } catch {
            folder.cleanup()
            throw error
        }
        // The child holds its own copies now.
        try? out.close()
        if !mergeStderr { try? err.close() }
        if stdin != nil { try? input.close() }
    }

    /// Runs `body` (the spawn) with no signal blocked on this thread.
    ///
    /// `Process` hands the child the spawning thread's signal mask, and the threads of Swift's
    /// cooperative pool (Dispatch workers) block SIGTERM, SIGINT and most others: a child
    /// spawned from a task would ignore `kill -TERM` until it unblocked them itself. A shell
    /// starts programs with nothing blocked; so do the tests.
    private static func withSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var none = sigset_t()
        var saved = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        return try body()
    }

    private static func handle(writing path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw TestError("cannot create \(path)") }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { exit.status == nil }

    /// What the child has written to standard output so far (everything, once it has exited).
    public var stdout: String { Self.read(stdoutPath) }
    public var stderr: String { Self.read(stderrPath) }

    private static func read(_ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    /// Sends `signal` unless the child has exited.
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// The exit status once the child exits, or nil when `timeout` passes first (or the task is cancelled).
    public func exitStatus(timeout: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exit.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Sends `signal`, waits up to `timeout` for the exit, then SIGKILL; returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async -> Int32 {
        self.signal(signal)
        if let status = await exitStatus(timeout: timeout) { return status }
        kill(pid, SIGKILL)
        return await exit.wait() ?? -1
    }

    /// Runs a program to its end and returns what it wrote; kills it and throws after `timeout`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessOutput {
        let child = try ChildProcess(executable, arguments, environment: environment, stdin: stdin)
        guard let status = await child.exitStatus(timeout: timeout) else {
            await child.stop(signal: SIGKILL)
            throw TestError("\(executable) \(arguments) did not finish within \(timeout)")
        }
        return ProcessOutput(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    deinit {
        if isRunning { kill(pid, SIGKILL) }
        folder.cleanup()
    }
}

/// The exit status, once known, and the tasks waiting for it.
private final class ExitState: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [UUID: CheckedContinuation<Int32?, Never>] = [:]
    }

    private let state = Locked(State())

    var status: Int32? { state.withLock { $0.status } }

    func finish(_ status: Int32) {
        let waiters = state.withLock { state in
            state.status = status
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The exit status; nil if the waiting task is cancelled first.
    func wait() async -> Int32? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
                let known: Int32?? = state.withLock { state in
                    if let status = state.status { return .some(status) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let known { continuation.resume(returning: known) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }
}
