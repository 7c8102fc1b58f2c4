import Core
import Foundation
import TestSupport
import Testing

@testable import Inference

/// A transport that answers from a script instead of the network, and records requests.
final class ScriptedTransport: HTTPTransport, Sendable {
    typealias Handler = @Sendable (TransportRequest, Int) async throws -> TransportResponse
    private let handler: Handler
    private let log = Locked<[TransportRequest]>([])

    init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    var requests: [TransportRequest] { log.current }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let n = log.withLock {
            $0.append(request)
            return $0.count - 1
        }
        return try await handler(request, n)
    }

    /// The JSON body of request `i`.
    func json(_ i: Int) throws -> [String: Any] {
        let body = try #require(requests[i].body)
        return try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> TransportResponse {
        TransportResponse(status: status, headers: headers, bytes: Array(text.utf8))
    }

    /// A streamed body from pieces; `end` decides how it stops.
    enum End {
        case finish
        case fail(any Error)
        case hang
    }

    static func stream(_ pieces: [String], delay: Duration = .zero, end: End = .finish) -> TransportResponse {
        let (stream, c) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let task = Task {
            for p in pieces {
                if delay > .zero { try? await Task.sleep(for: delay) } // pacing: pieces that arrive over time
                c.yield(Array(p.utf8))
            }
            switch end {
            case .finish: c.finish()
            case .fail(let e): c.finish(throwing: e)
            case .hang:
                try? await untilCancelled()
                c.finish()
            }
        }
        c.onTermination = { _ in task.cancel() }
        return TransportResponse(status: 200, headers: ["content-type": "text/event-stream"], body: stream)
    }
}
