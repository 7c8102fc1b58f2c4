import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import LocalGateway

@Suite("Circuit breaker and timeouts")
struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresAndProbesAfterCoolDown() async throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(10), uptime: { clock.uptime })
        for _ in 0..<2 { await breaker.recordFailure(try await breaker.acquire()) }
        await breaker.recordSuccess(try await breaker.acquire()) // a success resets the count
        #expect(await breaker.consecutiveFailures == 0)
        for _ in 0..<3 { await breaker.recordFailure(try await breaker.acquire()) }
        #expect(await breaker.state == .open)
        do {
            _ = try await breaker.acquire()
            Issue.record("open circuit let a call through")
        } catch {
            #expect(error.code == .inferenceUnavailable && error.retryAfter == 10)
        }
        clock.advance(seconds: 4)
        await #expect(throws: BedsideError.self) { try await breaker.acquire() }
        clock.advance(seconds: 6)
        let probe = try await breaker.acquire()
        let halfOpen = await breaker.state
        #expect(probe.isProbe && halfOpen == .halfOpen)
        await #expect(throws: BedsideError.self) { try await breaker.acquire() } // only one probe
        await breaker.recordFailure(probe)
        #expect(await breaker.state == .open)
        clock.advance(seconds: 10)
        let second = try await breaker.acquire()
        await breaker.release(second) // cancelled probe: another may go
        let third = try await breaker.acquire()
        await breaker.recordSuccess(third)
        #expect(await breaker.state == .closed)
    }

    @Test func gatewayStopsCallingFailingInferenceThenRecovers() async throws {
        let inference = ScriptedInference()
        let test = try await TestGateway.make(inference: inference) {
            $0.circuitFailureThreshold = 2
            $0.circuitCoolDown = 30
        }
        defer { test.cleanup() }
        let token = try await test.token()
        try await test.app.test(.router) { client in
            _ = try await client.execute(uri: "/readyz", method: .get) // learn the status first
            inference.mode = .fail(BedsideError(.upstream, "crash"))
            for _ in 0..<2 {
                #expect(
                    try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("q1")).status
                        == .serviceUnavailable)
            }
            #expect(inference.calls == 2)
            let refused = try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("q1"))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "30")
            #expect(inference.calls == 2) // not called while open
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)

            inference.mode = .answer
            test.clock.advance(seconds: 31)
            #expect(try await client.execute(uri: "/v1/query", method: .post, headers: .bearer(token), body: queryBody("q1")).status == .ok)
            #expect(await test.gateway.breaker.state == .closed)
        }
    }

    @Test func deadlineCancelsHungInference() async throws {
        // An injected sleep that returns at once: the deadline has passed, with no clock. The
        // hung calls end only by the deadline's cancellation; `within` fails the test otherwise.
        let timed = DeadlineInference(
            base: HangingInference(), answerTimeout: .milliseconds(100), statusTimeout: .milliseconds(100), sleep: { _ in })
        let outcome = try await within(.seconds(60), "the deadline to end a hung answer") { () -> BedsideError? in
            do {
                _ = try await timed.complete(QueryRequest(question: "x"))
                return nil
            } catch { return error as? BedsideError }
        }
        #expect(outcome?.code == .timeout, "\(String(describing: outcome))")
        let status = try await within(.seconds(60), "the deadline to end a hung status check") { () -> Bool in
            do {
                _ = try await timed.status()
                return false
            } catch { return error is BedsideError }
        }
        #expect(status, "a hung status check did not end in a BedsideError")
        // A fast answer is not affected (its deadline never comes).
        let fast = DeadlineInference(
            base: ScriptedInference(), answerTimeout: .seconds(5), statusTimeout: .seconds(5), sleep: { _ in try await untilCancelled() })
        #expect(try await fast.complete(QueryRequest(question: "x")).answer.isEmpty == false)
    }

    @Test func errorEventsBecomeThrownErrors() async throws {
        struct ErrorEventInference: InferenceService {
            func answer(_ request: QueryRequest) -> AsyncThrowingStream<AnswerEvent, any Error> {
                AsyncThrowingStream { c in
                    c.yield(.error(BedsideError(.upstream, "bad")))
                    c.finish()
                }
            }
            func status() async throws -> InferenceStatus { InferenceStatus(ready: true, indexVersion: 1, model: "m", retriever: "r") }
        }
        let breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(5), uptime: { .zero })
        let wrapped = CircuitBreakingInference(base: ErrorEventInference(), breaker: breaker)
        await #expect(throws: BedsideError.self) { try await wrapped.complete(QueryRequest(question: "x")) }
        #expect(await breaker.state == .open)
    }
}
