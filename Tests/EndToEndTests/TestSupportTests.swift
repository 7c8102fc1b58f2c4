import Core
import Foundation
import TestSupport
import Testing

/// The shared helpers the end-to-end tests stand on: child processes awaited without a
/// thread, polling, JSON text.
@Suite("Test support")
struct TestSupportTests {
    @Test func aChildsStatusOutputAndInputComeBack() async throws {
        let r = try await ChildProcess.run("/bin/sh", ["-c", "read line; echo \"out:$line\"; echo err >&2; exit 3"], stdin: "hello\n")
        #expect(r.status == 3)
        #expect(r.stdout == "out:hello\n")
        #expect(r.stderr == "err\n")
    }

    @Test func aChattyChildNeverBlocksOnItsOutput() async throws {
        // 4 MB, far beyond a pipe's 64 KiB buffer: nothing has to be drained while it runs.
        let r = try await ChildProcess.run("/bin/sh", ["-c", "head -c 4194304 /dev/zero | tr '\\0' x"], timeout: .seconds(60))
        #expect(r.status == 0)
        #expect(r.stdout.utf8.count == 4_194_304)
    }

    @Test func aChildPastItsTimeoutIsKilledAndReported() async throws {
        // Killed at the timeout, not left to sleep its 60 s (the bound is loose: the parallel run loads 2 cores).
        let started = ContinuousClock.now
        await #expect(throws: TestError.self) {
            try await ChildProcess.run("/bin/sleep", ["60"], timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(40))
    }

    @Test func stopSendsTheSignalAndWaitsForTheExit() async throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        #expect(await child.exitStatus(timeout: .milliseconds(100)) == nil)
        let status = await child.stop(signal: SIGTERM, timeout: .seconds(10))
        #expect(status == SIGTERM)
        #expect(!child.isRunning)
        // Asked again after the exit: the same status at once.
        #expect(await child.exitStatus(timeout: .seconds(1)) == SIGTERM)
    }

    @Test func aCancelledWaitReturnsWithoutTheExit() async throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        defer { child.signal(SIGKILL) }
        let waiter = Task { await child.exitStatus(timeout: .seconds(60)) }
        waiter.cancel()
        #expect(await waiter.value == nil)
        #expect(child.isRunning)
    }

    @Test func pollReturnsTheFirstValueOrNamesWhatItWaitedFor() async throws {
        var calls = 0
        let value = try await Poll.until("the third call", every: .milliseconds(1)) { () -> Int? in
            calls += 1
            return calls == 3 ? calls * 10 : nil
        }
        #expect(value == 30)
        do {
            try await Poll.until("something that never happens", timeout: .milliseconds(50), every: .milliseconds(10)) { false }
            Issue.record("expected a timeout")
        } catch let error as TestError {
            #expect(error.description.contains("something that never happens"))
        }
    }

    @Test(arguments: ["plain", "quote \" backslash \\ slash /", "new\nline\ttab\r", "\u{1}\u{1F} controls", "Fièvre 発熱 🚑", ""])
    func jsonTextParsesBackToTheSameString(_ text: String) throws {
        let body = JSONText.query(text, topK: 4)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(object["question"] as? String == text)
        #expect(object["top_k"] as? Int == 4)
        let quoted = try #require(try JSONSerialization.jsonObject(with: Data(JSONText.quoted(text).utf8), options: .fragmentsAllowed) as? String)
        #expect(quoted == text)
    }

    @Test func aFreePortCanBeBound() throws {
        let port = try freeLoopbackPort()
        #expect(port > 0 && port < 65_536)
    }
}
