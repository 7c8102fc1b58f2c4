import AsyncHTTPClient
import NIOCore
import Testing

@testable import Inference

/// A pooled connection the server closed after its last response is retried once; other
/// failures are not (a timeout or a refused connection must surface at once).
@Suite struct TransportRetryTests {
    @Test func onlyAClosedPooledConnectionIsRetried() {
        #expect(AsyncHTTPClientTransport.isStalePooledConnection(ChannelError.ioOnClosedChannel))
        #expect(AsyncHTTPClientTransport.isStalePooledConnection(ChannelError.eof))
        #expect(AsyncHTTPClientTransport.isStalePooledConnection(HTTPClientError.remoteConnectionClosed))
        #expect(!AsyncHTTPClientTransport.isStalePooledConnection(HTTPClientError.connectTimeout))
        #expect(!AsyncHTTPClientTransport.isStalePooledConnection(HTTPClientError.deadlineExceeded))
        #expect(!AsyncHTTPClientTransport.isStalePooledConnection(CancellationError()))
    }
}
