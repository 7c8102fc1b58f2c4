import Core
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The question the fast path decoded from a request it then handed to the router (a cache
/// miss, say), kept for the router so that a body is decoded and checked once per request.
///
/// One per connection: `EdgeHTTPChannel` makes it with the connection's handlers and binds it
/// to the connection's task (`connection`), where Hummingbird runs every request of that
/// connection; the request context reads it from there. The router takes it only for the
/// same bytes, so a request the fast path did not decode is decoded as before.
final class DecodedQuery: Sendable {
    @TaskLocal static var connection: DecodedQuery?

    private let kept = Locked<(body: [UInt8], query: QueryRequest)?>(nil)

    func keep(_ query: QueryRequest, body: [UInt8]) { kept.withLock { $0 = (body, query) } }

    /// The request decoded from exactly these bytes, if it was kept; the slot is emptied.
    func take(body: [UInt8]) -> QueryRequest? {
        kept.withLock { kept in
            defer { kept = nil }
            return kept?.body == body ? kept?.query : nil
        }
    }
}

/// A connection as Hummingbird hands it to `EdgeHTTPChannel.handle`: the async channel, with
/// the connection's `DecodedQuery` when the fast path is on.
struct EdgeConnectionValue: ServerChildChannelValue {
    let asyncChannel: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
    let decoded: DecodedQuery?
    var channel: any Channel { asyncChannel.channel }
}
